package dev.clnn.examples;

import dev.clnn.cl.ClBuffer;
import dev.clnn.cl.ClContext;
import dev.clnn.cl.ClDevice;
import dev.clnn.cl.Devices;
import dev.clnn.ops.Gemm;
import dev.clnn.ops.GemmShape;

/**
 * The smallest useful clnn program: multiply two matrices on the default OpenCL device (or the
 * one named by the first argument, e.g. {@code gpu} or {@code cpu}).
 *
 * <pre>
 * java -cp ... dev.clnn.examples.GemmExample [DEVICE-SPEC]
 * </pre>
 */
public final class GemmExample {
    private GemmExample() {
    }

    public static void main(String[] args) {
        ClDevice device = Devices.selectOne(args.length > 0 ? args[0] : null);
        int m = 2;
        int n = 3;
        int k = 4;
        float[] a = {1, 2, 3, 4,
                     5, 6, 7, 8};            // (2, 4)
        float[] b = {1, 0, 0,
                     0, 1, 0,
                     0, 0, 1,
                     1, 1, 1};               // (4, 3)
        try (ClContext cl = ClContext.create(device);
             ClBuffer da = cl.buffer(a);
             ClBuffer db = cl.buffer(b);
             ClBuffer dc = cl.buffer(m * n);
             Gemm gemm = Gemm.configure(cl, GemmShape.of(m, n, k))) {
            gemm.run(1f, da, 0, db, 0, 0f, dc, 0);
            float[] c = dc.read();           // (2, 3): [[5, 6, 7], [13, 14, 15]]
            System.out.println("Device: " + device);
            for (int i = 0; i < m; i++) {
                StringBuilder row = new StringBuilder();
                for (int j = 0; j < n; j++) {
                    row.append(String.format("%6.1f", c[i * n + j]));
                }
                System.out.println(row);
            }
        }
    }
}
