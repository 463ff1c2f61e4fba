package dev.clnn.cl;

import static org.jocl.CL.*;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

import dev.clnn.io.Locations;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_program;

/**
 * Compiled program binaries on disk, keyed by device identity (platform, name, driver and device
 * version), source hash and sorted build options.
 *
 * <p>Each entry is one file: a magic tag, the full key, the binary and its SHA-256. An entry whose
 * key, length or hash does not match, or that the driver refuses to load, is deleted and rebuilt
 * from source; a cache entry is never trusted blindly. Writes go to a temporary file that is moved
 * into place, so a crash never leaves a half-written entry under the real name.
 *
 * <p>Location: {@code -Dclnn.cache.dir}, else {@code $CLNN_CACHE_DIR}, else
 * {@code $XDG_CACHE_HOME/clnn}, else {@code ~/.cache/clnn}; programs live in its {@code programs}
 * folder. The value {@code off} disables the disk cache.
 *
 * <p>Logs to {@code dev.clnn.cl}: a rejected entry at {@code WARNING} with the reason (it costs a
 * compile, and repeated rejections point at a disk or driver problem); each compile and each load
 * from disk at {@code DEBUG}, with the time it took.
 */
public final class ProgramCache {
    private static final System.Logger LOG = System.getLogger("dev.clnn.cl");
    private static final byte[] MAGIC = "CLNNBIN1".getBytes(StandardCharsets.US_ASCII);
    private static volatile ProgramCache shared;

    private final Path dir;
    private final AtomicLong diskHits = new AtomicLong();
    private final AtomicLong compiles = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    /** A cache in {@code dir}; {@code null} keeps nothing on disk. */
    public ProgramCache(Path dir) {
        this.dir = dir;
    }

    /** The process-wide cache at the configured location. */
    public static ProgramCache shared() {
        ProgramCache c = shared;
        if (c == null) {
            synchronized (ProgramCache.class) {
                if (shared == null) {
                    shared = new ProgramCache(defaultDir());
                }
                c = shared;
            }
        }
        return c;
    }

    static Path defaultDir() {
        String dir = Locations.setting("clnn.cache.dir", "CLNN_CACHE_DIR");
        if (dir != null && dir.equalsIgnoreCase("off")) {
            return null;
        }
        return (dir != null ? Path.of(dir) : Locations.cacheHome()).resolve("programs");
    }

    /** The folder of cached binaries, or {@code null} when the disk cache is off. */
    public Path directory() { return dir; }

    /** Programs loaded from disk, since this cache was made. */
    public long diskHits() { return diskHits.get(); }

    /** Programs compiled from source. */
    public long compiles() { return compiles.get(); }

    /** Disk entries found corrupt or stale and rebuilt. */
    public long rejected() { return rejected.get(); }

    static String key(ClDevice device, KernelSource source, BuildOptions options) {
        return device.identity() + "\n" + source.sha256() + "\n" + compilerOptions(options);
    }

    /**
     * The compiler flags of every program: {@code -cl-denorms-are-zero}, so a device may flush
     * denormal floats to zero. No layer needs values below 1.2e-38, but training makes many: Adam's
     * moments of weights whose gradient is zero decay through the denormal range, where x86 CPUs
     * take a slow path per operation. PoCL honours the flag by setting the CPU's flush-to-zero mode
     * for the program's kernels; without it, each epoch of {@code train mnist} on 12,000 images was
     * slower than the last (2.6, 4.0, 8.5 s here), with it 2.6-2.7 s each.
     */
    static final String COMPILER_FLAGS = "-cl-denorms-are-zero";

    /** The option string passed to {@code clBuildProgram}: {@code options}' defines and flags, then {@link #COMPILER_FLAGS}. */
    static String compilerOptions(BuildOptions options) {
        String own = options.toString();
        return own.isEmpty() ? COMPILER_FLAGS : own + " " + COMPILER_FLAGS;
    }

    /** The file an entry lives in (for tests and tools). */
    public Path entryFile(ClDevice device, KernelSource source, BuildOptions options) {
        if (dir == null) {
            return null;
        }
        String key = key(device, source, options);
        return dir.resolve(Hashing.sha256Hex(key.getBytes(StandardCharsets.UTF_8)) + ".bin");
    }

    cl_program build(cl_context context, ClDevice device, KernelSource source, BuildOptions options) {
        String key = key(device, source, options);
        Path file = entryFile(device, source, options);
        if (file != null && Files.isRegularFile(file)) {
            long start = System.nanoTime();
            Entry entry = readEntry(file, key);
            String problem = entry.problem();
            if (problem == null) {
                int[] status = new int[1];
                cl_program fromDisk = fromBinary(context, device, entry.binary(), options, status);
                if (fromDisk != null) {
                    diskHits.incrementAndGet();
                    log(Level.DEBUG, "Loaded", source, options, device, start, file);
                    return fromDisk;
                }
                problem = "the driver refused the stored binary (" + ClException.statusName(status[0]) + ")";
            }
            rejected.incrementAndGet();
            LOG.log(Level.WARNING, "Rebuilding " + source.path() + " for " + device.name() + ": the cached binary "
                    + file + " is unusable: " + problem);
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // rebuilt below and overwritten; nothing is lost
            }
        }
        long start = System.nanoTime();
        cl_program program = fromSource(context, device, source, options);
        compiles.incrementAndGet();
        log(Level.DEBUG, "Compiled", source, options, device, start, null);
        if (file != null) {
            byte[] binary = binaryOf(program);
            if (binary != null) {
                writeEntry(file, key, binary);
            }
        }
        return program;
    }

    private static void log(Level level, String what, KernelSource source, BuildOptions options, ClDevice device,
                            long startNanos, Path file) {
        if (LOG.isLoggable(level)) {
            LOG.log(level, String.format("%s %s [%s] for %s in %.1f ms%s", what, source.path(), options, device.name(),
                    (System.nanoTime() - startNanos) / 1e6, file == null ? "" : " from " + file));
        }
    }

    private static cl_program fromSource(cl_context context, ClDevice device, KernelSource source,
                                         BuildOptions options) {
        int[] err = new int[1];
        cl_program program = clCreateProgramWithSource(context, 1, new String[] {source.text()}, null, err);
        ClException.check(err[0], "clCreateProgramWithSource");
        int status = clBuildProgram(program, 1, new cl_device_id[] {device.id}, compilerOptions(options), null, null);
        if (status != CL_SUCCESS) {
            String log = buildLog(program, device);
            clReleaseProgram(program);
            throw new ProgramBuildException(status, source.path(), compilerOptions(options), device.name(), log);
        }
        return program;
    }

    /** The program built from a stored binary, or {@code null} with the driver's refusal in {@code status[0]}. */
    private static cl_program fromBinary(cl_context context, ClDevice device, byte[] binary, BuildOptions options,
                                         int[] status) {
        int[] err = new int[1];
        int[] binaryStatus = new int[1];
        cl_program program = clCreateProgramWithBinary(context, 1, new cl_device_id[] {device.id},
                new long[] {binary.length}, new byte[][] {binary}, binaryStatus, err);
        if (err[0] != CL_SUCCESS || binaryStatus[0] != CL_SUCCESS) {
            if (err[0] == CL_SUCCESS) {
                clReleaseProgram(program);
            }
            status[0] = err[0] != CL_SUCCESS ? err[0] : binaryStatus[0];
            return null;
        }
        status[0] = clBuildProgram(program, 1, new cl_device_id[] {device.id}, compilerOptions(options), null, null);
        if (status[0] != CL_SUCCESS) {
            clReleaseProgram(program);
            return null;
        }
        return program;
    }

    private static byte[] binaryOf(cl_program program) {
        long[] size = new long[1];
        if (clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, Sizeof.size_t, Pointer.to(size), null) != CL_SUCCESS
                || size[0] <= 0) {
            return null;
        }
        byte[] binary = new byte[Math.toIntExact(size[0])];
        Pointer holder = Pointer.to(Pointer.to(binary));
        if (clGetProgramInfo(program, CL_PROGRAM_BINARIES, Sizeof.POINTER, holder, null) != CL_SUCCESS) {
            return null;
        }
        return binary;
    }

    private static String buildLog(cl_program program, ClDevice device) {
        long[] size = new long[1];
        clGetProgramBuildInfo(program, device.id, CL_PROGRAM_BUILD_LOG, 0, null, size);
        if (size[0] <= 1) {
            return "(the driver gave no build log)";
        }
        byte[] log = new byte[Math.toIntExact(size[0])];
        clGetProgramBuildInfo(program, device.id, CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
        int end = log.length;
        while (end > 0 && log[end - 1] == 0) {
            end--;
        }
        return new String(log, 0, end, StandardCharsets.UTF_8).strip();
    }

    /** A stored binary, or why the entry cannot be used. */
    private record Entry(byte[] binary, String problem) {
        static Entry bad(String problem) {
            return new Entry(null, problem);
        }
    }

    /** The binary of an entry, or the reason it is corrupt, truncated or written for another key. */
    private static Entry readEntry(Path file, String key) {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (magic.length < MAGIC.length) {
                return Entry.bad("it is truncated");
            }
            if (!Arrays.equals(magic, MAGIC)) {
                return Entry.bad("it does not start with the cache's tag (not a clnn entry, or overwritten)");
            }
            int keyLength = in.readInt();
            if (keyLength < 0 || keyLength > 1 << 20) {
                return Entry.bad("its key length " + keyLength + " is corrupt");
            }
            byte[] storedKey = in.readNBytes(keyLength);
            if (!Arrays.equals(storedKey, key.getBytes(StandardCharsets.UTF_8))) {
                return Entry.bad("it was written for another device, driver, source or options (stale)");
            }
            int length = in.readInt();
            if (length <= 0 || length > 1 << 30) {
                return Entry.bad("its binary length " + length + " is corrupt");
            }
            byte[] binary = in.readNBytes(length);
            byte[] hash = in.readNBytes(32);
            if (binary.length != length || hash.length != 32) {
                return Entry.bad("it is truncated");
            }
            if (!Arrays.equals(hash, Hashing.sha256(binary))) {
                return Entry.bad("its SHA-256 does not match (corrupt)");
            }
            if (in.read() != -1) {
                return Entry.bad("it has bytes after its end (corrupt)");
            }
            return new Entry(binary, null);
        } catch (IOException e) {
            // EOFException from readInt is a truncated file too
            return Entry.bad("it could not be read: " + e);
        }
    }

    private static void writeEntry(Path file, String key, byte[] binary) {
        Path tmp = null;
        try {
            Files.createDirectories(file.getParent());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(binary.length + 256);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                byte[] k = key.getBytes(StandardCharsets.UTF_8);
                out.write(MAGIC);
                out.writeInt(k.length);
                out.write(k);
                out.writeInt(binary.length);
                out.write(binary);
                out.write(Hashing.sha256(binary));
            }
            tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.write(tmp, bytes.toByteArray());
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | SecurityException e) {
            // NOTE: the disk cache only saves compile time; a read-only or full disk must not fail the run.
            LOG.log(Level.DEBUG, "Could not store a compiled program in " + file + ": " + e);
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    /**
     * Drops the disk entry of a program whose cached binary loaded but is not the program it
     * should be (a kernel it must contain is missing), then builds from source and stores the result.
     */
    cl_program rebuild(cl_context context, ClDevice device, KernelSource source, BuildOptions options) {
        Path file = entryFile(device, source, options);
        if (file != null) {
            rejected.incrementAndGet();
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // overwritten below when the disk allows; the fresh program is used either way
            }
        }
        cl_program program = fromSource(context, device, source, options);
        compiles.incrementAndGet();
        if (file != null) {
            byte[] binary = binaryOf(program);
            if (binary != null) {
                writeEntry(file, key(device, source, options), binary);
            }
        }
        return program;
    }
}
