package dev.jxdp.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Whole-file writes that never leave a half-written file behind: a temporary file renamed into place. */
public final class AtomicFile {

    private AtomicFile() {
    }

    /**
     * Writes {@code data} to a temporary file beside {@code file}, then renames it over {@code file}; on
     * failure the temporary file is removed and the first error thrown, {@code file} untouched.
     */
    public static void write(Path file, byte[] data) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            Files.write(tmp, data);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);  // the first error is the one to report
                }
            }
            throw e;
        }
    }
}
