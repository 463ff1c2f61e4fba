package dev.clnn.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;

/**
 * Parsing the ONNX protobuf from a file, a stream or bytes, with sizes bounded: a regular file's
 * size is checked before it is read, and a stream (a pipe, a device) is parsed as it arrives, so
 * an endless or garbage stream such as {@code /dev/zero} fails at its first bad byte instead of
 * being read into memory.
 */
final class ModelFile {
    /** The largest model file read (protobuf's own 2 GiB limit). */
    static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64;

    private ModelFile() {
    }

    /** The model in {@code file}; a file that is not a regular file is read as a stream. */
    static ModelProto read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                return parse(in, file.toString());
            }
        }
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new OnnxFormatException(file + " has " + size + " bytes, more than an ONNX protobuf may hold"
                    + " (store large weights as external data)");
        }
        return parse(Files.readAllBytes(file), file.getFileName().toString());
    }

    static ModelProto parse(byte[] bytes, String name) {
        if (bytes.length == 0) {
            throw new OnnxFormatException(name + " is empty, not an ONNX model");
        }
        try {
            return ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw corrupt(name, e);
        }
    }

    /** Parses {@code in} to its end, reading at most {@link OnnxImport#MAX_STREAM_BYTES}. */
    static ModelProto parse(InputStream in, String name) throws IOException {
        CodedInputStream coded = CodedInputStream.newInstance(in);
        coded.setSizeLimit((int) OnnxImport.MAX_STREAM_BYTES);
        ModelProto model;
        try {
            model = ModelProto.parseFrom(coded);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            if (coded.getTotalBytesRead() >= OnnxImport.MAX_STREAM_BYTES) {
                throw new OnnxFormatException(name + " holds more than the " + OnnxImport.MAX_STREAM_BYTES
                        + " bytes read from a stream; save the model to a file and load that", e);
            }
            throw corrupt(name, e);
        }
        if (coded.getTotalBytesRead() == 0) {
            throw new OnnxFormatException(name + " is empty, not an ONNX model");
        }
        return model;
    }

    private static OnnxFormatException corrupt(String name, Exception e) {
        return new OnnxFormatException(name + " is not a valid ONNX model (truncated or corrupt protobuf: "
                + e.getMessage() + ")", e);
    }
}
