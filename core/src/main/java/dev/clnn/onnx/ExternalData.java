package dev.clnn.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;

/**
 * A tensor's data in a file beside the model ({@code data_location: EXTERNAL}). {@link #locate}
 * checks everything before a byte is read: the location stays inside the model's directory (no
 * absolute path, no {@code ..}, no symbolic link out of it), names a regular file, and the file
 * really holds {@code offset + length} bytes, {@code length} being what the tensor's shape needs.
 * {@link #read} then streams the bytes in chunks, so the only large allocation is the decoded array.
 */
final class ExternalData {
    private static final int CHUNK = 1 << 20;

    private final Path file;
    private final String location;
    private final long offset;
    private final long length;
    private final String what;

    private ExternalData(Path file, String location, long offset, long length, String what) {
        this.file = file;
        this.location = location;
        this.offset = offset;
        this.length = length;
        this.what = what;
    }

    /**
     * The checked location of {@code t}'s {@code need} bytes; {@code dir} is the model's directory
     * (null when the model was not read from a file, which rejects external data).
     */
    static ExternalData locate(TensorProto t, Path dir, long need, String what) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            try {
                switch (e.getKey()) {
                    case "location": location = e.getValue(); break;
                    case "offset": offset = Long.parseLong(e.getValue()); break;
                    case "length": length = Long.parseLong(e.getValue()); break;
                    default: break;
                }
            } catch (NumberFormatException ex) {
                throw new OnnxFormatException(what + ": external data " + e.getKey() + " '" + e.getValue()
                        + "' is not a number");
            }
        }
        if (location == null || location.isEmpty()) {
            throw new OnnxFormatException(what + " is stored externally but names no location");
        }
        if (dir == null) {
            throw new OnnxFormatException(what + " is stored in external file '" + location
                    + "', but the model was not loaded from a file; load it with OnnxImport.load(Path)");
        }
        Path rel = relative(location, what);
        if (offset < 0 || length < -1 || (length >= 0 && length != need)) {
            throw new OnnxFormatException(what + ": external data offset " + offset + " and length " + length
                    + " do not give the " + need + " bytes its shape needs");
        }
        Path real = inside(dir, rel, location, what);
        long size;
        try {
            size = Files.size(real);
        } catch (IOException e) {
            throw new OnnxFormatException(what + ": cannot read external data '" + location + "': " + e, e);
        }
        if (offset > size || need > size - offset) {
            throw new OnnxFormatException(what + ": external data file '" + location + "' has " + size
                    + " bytes, the tensor needs " + need + " from offset " + offset);
        }
        return new ExternalData(real, location, offset, need, what);
    }

    /** The location as a relative path with no {@code ..}. */
    private static Path relative(String location, String what) {
        Path rel;
        try {
            rel = Path.of(location);
        } catch (InvalidPathException ex) {
            throw new OnnxFormatException(what + ": external data location '" + location + "' is not a valid path");
        }
        if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\")) {
            throw new OnnxFormatException(what + ": external data location '" + location
                    + "' is absolute; only paths relative to the model's directory are allowed");
        }
        for (Path part : rel) {
            if (part.toString().equals("..")) {
                throw new OnnxFormatException(what + ": external data location '" + location
                        + "' contains '..'; only paths inside the model's directory are allowed");
            }
        }
        return rel;
    }

    /** The real path of {@code rel} in {@code dir}: a regular file that no symbolic link leads out of. */
    private static Path inside(Path dir, Path rel, String location, String what) {
        try {
            Path base = dir.toRealPath();
            Path file = base.resolve(rel).normalize();
            if (!file.startsWith(base) || !Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.exists(file)) {
                throw new OnnxFormatException(what + ": external data file '" + location + "' does not exist in "
                        + base);
            }
            Path real = file.toRealPath();
            if (!real.startsWith(base)) {
                throw new OnnxFormatException(what + ": external data file '" + location
                        + "' leads outside the model's directory (a symbolic link to " + real + ")");
            }
            if (!Files.isRegularFile(real)) {
                throw new OnnxFormatException(what + ": external data '" + location + "' is not a regular file");
            }
            return real;
        } catch (IOException e) {
            throw new OnnxFormatException(what + ": cannot read external data '" + location + "': " + e, e);
        }
    }

    /**
     * Hands the bytes to {@code sink} in order, in chunks of whole elements of {@code elementSize}
     * bytes (a chunk buffer is reused: the sink must consume it before returning).
     */
    void read(int elementSize, Consumer<ByteBuffer> sink) {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(length, CHUNK / elementSize * elementSize));
        long done = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (done < length) {
                buf.clear().limit((int) Math.min(buf.capacity(), length - done));
                while (buf.hasRemaining()) {
                    // the file was checked when the model was parsed; it may have shrunk since
                    if (ch.read(buf, offset + done + buf.position()) < 0) {
                        throw new OnnxFormatException(what + ": external data file '" + location + "' ended after "
                                + (offset + done + buf.position()) + " bytes; the tensor needs " + length
                                + " from offset " + offset);
                    }
                }
                buf.flip();
                done += buf.remaining();
                sink.accept(buf);
            }
        } catch (IOException e) {
            throw new OnnxFormatException(what + ": cannot read external data '" + location + "': " + e, e);
        }
    }
}
