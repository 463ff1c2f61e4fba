package dev.clnn.consumer;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Compiles a program against the consumer classpath (clnn-core and what it brings, nothing of
 * this build's test scope but {@link Check}) and runs it in a JVM of its own, as an application
 * would: same {@code java}, the environment of this test JVM (which preloads libjsig) unless told
 * otherwise.
 */
final class ConsumerJvm {
    /** Exit status and everything the program printed (standard output and error together). */
    record Result(int exitCode, String output) {
    }

    private final String classpath;
    private final Path work;

    ConsumerJvm(Path classpathFile, Path work) throws IOException, URISyntaxException {
        Path checks = Path.of(Check.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        this.classpath = Files.readString(classpathFile).strip() + File.pathSeparator + checks;
        this.work = work;
        Files.createDirectories(work);
    }

    /** The consumer classpath entries (jars or class folders). */
    List<String> entries() {
        return List.of(classpath.split(File.pathSeparator));
    }

    Path work() {
        return work;
    }

    /** Compiles {@code source}, the class {@code dev.clnn.consumer.snippets.<name>}; fails with javac's messages. */
    Path compile(String name, String source) throws IOException {
        Path src = work.resolve("src").resolve(name + ".java");
        Path classes = work.resolve("classes");
        Files.createDirectories(src.getParent());
        Files.createDirectories(classes);
        Files.writeString(src, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter messages = new StringWriter();
        boolean ok = javac.getTask(messages, null, null,
                List.of("--release", "17", "-classpath", classpath, "-d", classes.toString()), null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(src)).call();
        if (!ok) {
            throw new AssertionError("A README snippet does not compile against clnn-core alone:\n" + messages
                    + "\n" + numbered(source));
        }
        return classes;
    }

    /**
     * Runs {@code main} of {@code dev.clnn.consumer.snippets.<name>} from {@code classes}, in
     * {@link #work()}; {@code withoutLibjsig} removes {@code LD_PRELOAD} from its environment.
     */
    Result run(String name, Path classes, boolean withoutLibjsig, long timeoutSeconds)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(classpath + File.pathSeparator + classes);
        String cache = System.getProperty("clnn.cache.dir");
        if (cache != null) {
            command.add("-Dclnn.cache.dir=" + cache);
        }
        command.add("dev.clnn.consumer.snippets." + name);
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true);
        if (withoutLibjsig) {
            pb.environment().remove("LD_PRELOAD");
        }
        Path log = work.resolve(name + ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(name + " ran longer than " + timeoutSeconds + " s:\n" + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log));
    }

    private static String numbered(String source) {
        StringBuilder sb = new StringBuilder();
        String[] lines = source.split("\n");
        for (int i = 0; i < lines.length; i++) {
            sb.append(String.format("%4d  %s%n", i + 1, lines[i]));
        }
        return sb.toString();
    }
}
