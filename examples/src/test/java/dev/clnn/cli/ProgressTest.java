package dev.clnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;

import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void offATerminalThereIsNoCarriageReturn() throws Exception {
        StringWriter text = new StringWriter();
        Progress p = new Progress(new CliWriter(text, false), 100, "batches");
        for (int i = 1; i <= 100; i++) {
            p.step(i);
            if (i == 20) {
                Thread.sleep(1100);         // past the quiet first second: the quarter lines print
            }
        }
        p.done();
        String s = text.toString();
        assertFalse(s.contains("\r"), s);
        assertEquals(3, s.lines().count(), s);
        assertTrue(s.startsWith("  25/100 batches, ") && s.contains("75/100 batches"), s);
    }

    @Test
    void aShortLoopOffATerminalPrintsNothing() {
        StringWriter text = new StringWriter();
        Progress p = new Progress(new CliWriter(text, false), 1000, "batches");
        for (int i = 1; i <= 1000; i++) {
            p.step(i);
        }
        p.done();
        assertEquals("", text.toString());
    }

    @Test
    void onATerminalTheBarIsRedrawnAndCleared() {
        StringWriter text = new StringWriter();
        Progress p = new Progress(new CliWriter(text, true), 4, "batches");
        for (int i = 1; i <= 4; i++) {
            p.step(i);
        }
        p.done();
        String s = text.toString();
        assertTrue(s.startsWith("\r  [") && s.contains("4/4 batches") && s.endsWith("\r"), s);
        assertFalse(s.contains("\n"), s);
    }

    @Test
    void anOrdinaryWriterIsNoTerminal() {
        assertFalse(CliWriter.isTerminal(new java.io.PrintWriter(new StringWriter())));
    }

    @Test
    void theEnvironmentOverridesTheGuess() {
        assertEquals(Boolean.TRUE, Terminal.forced("bar"));
        assertEquals(Boolean.FALSE, Terminal.forced(" LINES "));
        assertNull(Terminal.forced("auto"));
        assertNull(Terminal.forced(null));
        assertTrue(Terminal.isTerminalDevice("/dev/pts/3") && Terminal.isTerminalDevice("/dev/tty1"));
        assertFalse(Terminal.isTerminalDevice("pipe:[12345]") || Terminal.isTerminalDevice("/tmp/log.txt")
                || Terminal.isTerminalDevice("/dev/null"));
    }
}
