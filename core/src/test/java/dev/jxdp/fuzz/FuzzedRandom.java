package dev.jxdp.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

import java.util.Random;

/**
 * A {@link Random} whose every draw comes from the fuzzer's input, so a generator written against
 * {@code Random} (the property tests' {@code VerifiedProgramGenerator}) becomes structure-aware: a mutated
 * input is a program with a few different choices, not random bytes. Once the input is used up every draw
 * is the lowest value, so the generator still ends, with its smallest choices.
 */
final class FuzzedRandom extends Random {
    private final transient FuzzedDataProvider data;

    FuzzedRandom(FuzzedDataProvider data) {
        super(0);
        this.data = data;
    }

    @Override
    protected int next(int bits) {
        return data.consumeInt() >>> (32 - bits);
    }

    @Override
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        return data.consumeInt(0, bound - 1);
    }

    @Override
    public int nextInt() {
        return data.consumeInt();
    }

    @Override
    public long nextLong() {
        return data.consumeLong();
    }

    @Override
    public boolean nextBoolean() {
        return data.consumeBoolean();
    }
}
