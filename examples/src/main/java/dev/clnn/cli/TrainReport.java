package dev.clnn.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import dev.clnn.train.EpochMetrics;
import dev.clnn.train.Metrics;
import dev.clnn.train.TrainingListener;

/**
 * Keras-style training output: one line per epoch on the report writer and, on a terminal, a
 * progress bar on stderr redrawn while an epoch runs. Piped or redirected, stderr gets no bar, so
 * a log holds the epoch lines and no carriage returns. Also collects each epoch for the JSON.
 */
final class TrainReport implements TrainingListener {
    private static final int WIDTH = 30;
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean bar;
    private final List<Json.Obj> epochs = new ArrayList<>();
    private long epochStart;

    TrainReport(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
        this.bar = CliWriter.isTerminal(err);
    }

    @Override
    public void epochStarted(int epoch, int epochs, int steps) {
        epochStart = System.nanoTime();
    }

    @Override
    public void progress(int epoch, int step, int steps, Metrics running) {
        if (!bar) {
            return;
        }
        int filled = (int) ((long) WIDTH * step / steps);
        String shown = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
        err.printf("\rEpoch %d [%s] %d/%d - loss %.4f - accuracy %.2f - %.1f s ", epoch, shown, step, steps,
                running.loss(), running.accuracy() * 100, (System.nanoTime() - epochStart) / 1e9);
        err.flush();
    }

    @Override
    public void epochEnded(EpochMetrics m) {
        if (bar) {
            err.print("\r" + " ".repeat(WIDTH + 70) + "\r");
            err.flush();
        }
        Metrics test = m.test();
        out.printf("Epoch %d, Loss: %.4f, Accuracy: %.2f, Test Loss: %.4f, Test Accuracy: %.2f%n", m.epoch(),
                m.train().loss(), m.train().accuracy() * 100, test.loss(), test.accuracy() * 100);
        out.printf("  time %.1f s (training %.1f s, test %.1f s)%n", m.seconds(), m.trainSeconds(),
                m.seconds() - m.trainSeconds());
        out.flush();
        epochs.add(Json.obj().put("epoch", m.epoch()).put("loss", m.train().loss())
                .put("accuracy", m.train().accuracy()).put("testLoss", test.loss())
                .put("testAccuracy", test.accuracy()).put("seconds", m.seconds())
                .put("trainSeconds", m.trainSeconds()));
    }

    /** Each finished epoch: loss and accuracy (a fraction, 0 to 1) on the training and test data, times. */
    List<Json.Obj> epochs() {
        return epochs;
    }
}
