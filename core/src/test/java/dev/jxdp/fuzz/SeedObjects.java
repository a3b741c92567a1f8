package dev.jxdp.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The object files the repository commits, as clang built them: the seeds of the loader's fuzzing and the
 * objects the map-init target loads. Objects over {@link #MAX_BYTES} are left out: mutating a megabyte
 * per execution would slow the fuzzer a hundredfold for code paths the small objects reach as well.
 */
final class SeedObjects {
    private SeedObjects() {}

    static final int MAX_BYTES = 64 * 1024;
    static final Path REPO = Path.of(System.getProperty("jxdp.repo", "."));
    private static final List<String> DIRS = List.of("core/src/test/bpf", "examples",
            "core/src/main/resources/dev/jxdp/bench", "jmh/bpf");

    /** Every committed object of at most {@link #MAX_BYTES}, sorted by path. */
    static List<Path> all() {
        List<Path> out = new ArrayList<>();
        for (String d : DIRS) {
            try (Stream<Path> s = Files.list(REPO.resolve(d))) {
                s.filter(p -> p.toString().endsWith(".o")).filter(p -> size(p) <= MAX_BYTES).sorted().forEach(out::add);
            } catch (IOException e) {
                throw new UncheckedIOException("seed objects: " + d, e);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no object files under " + REPO.toAbsolutePath() + " (is -Djxdp.repo set?)");
        }
        return out;
    }

    static Path object(String relative) {
        return REPO.resolve(relative);
    }

    static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
