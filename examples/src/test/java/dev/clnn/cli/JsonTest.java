package dev.clnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void rendersNestedValuesWithPlainObjectsOnOneLine() {
        Json.Obj doc = Json.obj().put("name", "a \"quoted\"\nline").put("n", 3).put("x", 0.5).put("f", 1.25f)
                .put("nan", Double.NaN).put("none", null).put("ok", true).put("dims", new int[] {2, 5})
                .put("rows", List.of(Json.obj().put("i", 1), Json.obj().put("i", 2)));
        assertEquals("{\n"
                + "  \"name\": \"a \\\"quoted\\\"\\nline\",\n"
                + "  \"n\": 3,\n"
                + "  \"x\": 0.5,\n"
                + "  \"f\": 1.25,\n"
                + "  \"nan\": null,\n"
                + "  \"none\": null,\n"
                + "  \"ok\": true,\n"
                + "  \"dims\": [2, 5],\n"
                + "  \"rows\": [\n"
                + "    {\"i\": 1},\n"
                + "    {\"i\": 2}\n"
                + "  ]\n"
                + "}", doc.toString());
    }

    @Test
    void numbersIgnoreTheLocale() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            assertEquals("{\"x\": 1234.5, \"e\": 1.0E-7}", Json.obj().put("x", 1234.5).put("e", 1e-7).toString());
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void theHeaderCarriesVersionDateCommandSeedAndDevices() {
        String s = Json.header("bench ops", List.of(), 42L).toString();
        assertTrue(s.matches("(?s)\\{\"clnn\": \"[^\"]+\", \"date\": \"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d"
                + "(Z|[+-]\\d\\d:\\d\\d)\", \"command\": \"bench ops\", \"seed\": 42, \"devices\": \\[\\]}"), s);
    }
}
