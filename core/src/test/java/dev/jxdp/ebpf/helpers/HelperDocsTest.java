package dev.jxdp.ebpf.helpers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jxdp.ebpf.isa.HelperIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/runtime.md's list of helpers a program may call is exactly the set jxdp implements. */
final class HelperDocsTest {

    @Test
    void theDocumentedHelpersAreTheImplementedOnes() throws IOException {
        Path doc = Path.of(System.getProperty("user.dir")).resolveSibling("docs/runtime.md");
        if (!Files.exists(doc)) {
            doc = Path.of("docs/runtime.md");
        }
        String text = Files.readString(doc);
        String list = text.substring(text.indexOf("<!-- helpers -->"), text.indexOf("<!-- /helpers -->"));
        TreeSet<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("`(bpf_\\w+)`").matcher(list);
        while (m.find()) {
            documented.add(m.group(1));
        }
        TreeSet<String> implemented = new TreeSet<>();
        for (int id = 1; HelperIds.name(id) != null; id++) {
            if (id == HelperIds.TAIL_CALL || Helpers.isSupported(id)) {
                implemented.add(HelperIds.name(id));
            }
        }
        // jxdp's own helpers, numbered apart from the kernel's
        for (int id = HelperIds.JXDP_FIRST; HelperIds.name(id) != null; id++) {
            if (Helpers.isSupported(id)) {
                implemented.add(HelperIds.name(id));
            }
        }
        assertEquals(implemented, documented, "docs/runtime.md, 'What programs can call'");
    }
}
