package dev.clnn.cl;

/** The kind of an OpenCL device, as reported by {@code CL_DEVICE_TYPE}. */
public enum DeviceType {
    CPU, GPU, ACCELERATOR, OTHER
}
