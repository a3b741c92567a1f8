package dev.jxdp.xdp.chain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A frame walked through a chain as an executor walks it, each program returning the code the test gives
 * it: the programs run and the frame's action.
 */
record ChainWalk(List<String> ran, int action) {

    static final int XDP_PASS = 2;

    static ChainWalk of(ChainPlan chain, Map<String, Integer> returns) {
        List<String> ran = new ArrayList<>();
        int p = chain.first();
        while (true) {
            String name = chain.program(p).name();
            ran.add(name);
            int ret = returns.getOrDefault(name, XDP_PASS);
            int step = chain.next(p, ret);
            if (step >= 0) {
                p = step;
                continue;
            }
            return new ChainWalk(List.copyOf(ran), step == ChainPlan.RETURN_RETVAL ? ret : XDP_PASS);
        }
    }

    /** Programs named so, from one object. */
    static List<ChainProgram> programs(String... names) {
        List<ChainProgram> out = new ArrayList<>();
        for (String n : names) {
            out.add(new ChainProgram(Path.of("t.o"), n));
        }
        return out;
    }
}
