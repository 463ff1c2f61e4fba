package dev.clnn.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the suites the way {@code mvn verify -Pjmh} does: every benchmark on every selected device
 * ({@code -Djmh.devices=SPEC}, default all), short default settings (one fork, one warm-up and three
 * measurement iterations of one second: every suite on one CPU device in about 7 minutes),
 * then a Markdown report beside JMH's JSON.
 *
 * <p>System properties: {@code jmh.devices} (device spec), {@code jmh.include} (benchmark regex,
 * default every suite), {@code jmh.args} (any JMH command-line options, e.g. {@code "-wi 5 -i 10 -f 2"},
 * overriding the defaults), {@code jmh.out} (output folder, default {@code target/jmh}).
 */
public final class Runner {
    private Runner() {
    }

    public static void main(String[] args) throws RunnerException, IOException, CommandLineOptionException {
        String extra = System.getProperty("jmh.args", "").trim();
        CommandLineOptions cmd = new CommandLineOptions(extra.isEmpty() ? new String[0] : extra.split("\\s+"));
        Path out = Path.of(System.getProperty("jmh.out", "target/jmh"));
        Files.createDirectories(out);
        Path json = out.resolve("results.json");

        ChainedOptionsBuilder options = new OptionsBuilder().parent(cmd)
                .param("device", BenchDevices.indices())
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString());
        if (cmd.getIncludes().isEmpty()) {
            options.include(System.getProperty("jmh.include", "dev\\.clnn\\.jmh\\..*Benchmark"));
        }
        if (!cmd.getForkCount().hasValue()) {
            options.forks(1);
        }
        if (!cmd.getWarmupIterations().hasValue()) {
            options.warmupIterations(1);
        }
        if (!cmd.getWarmupTime().hasValue()) {
            options.warmupTime(TimeValue.seconds(1));
        }
        if (!cmd.getMeasurementIterations().hasValue()) {
            options.measurementIterations(3);
        }
        if (!cmd.getMeasurementTime().hasValue()) {
            options.measurementTime(TimeValue.seconds(1));
        }
        System.out.println("clnn JMH suites on: " + BenchDevices.describe());
        Collection<RunResult> results = new org.openjdk.jmh.runner.Runner(options.build()).run();
        Path md = out.resolve("report.md");
        Report.write(results, BenchDevices.selected(), md);
        System.out.println("JMH results: " + json.toAbsolutePath() + "\nReport:      " + md.toAbsolutePath());
    }
}
