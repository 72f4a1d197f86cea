package org.lca4j.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CorrelationTest {
    @Test
    void streamingPearsonAndSignAgreementMatchATwoPassComputation() {
        Random r = new Random(3);
        int n = 5000;
        double[] x = new double[n], y = new double[n];
        Correlation c = new Correlation();
        for (int i = 0; i < n; i++) {
            x[i] = i % 7 == 0 ? 0 : r.nextGaussian() * 1e-4 + 3e-5;
            y[i] = 0.7 * x[i] + r.nextGaussian() * 5e-5;
            c.add(x[i], y[i]);
        }
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        long signed = 0, agree = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
            if (x[i] != 0) {
                signed++;
                if (Math.signum(x[i]) == Math.signum(y[i])) agree++;
            }
        }
        assertEquals(sxy / Math.sqrt(sxx * syy), c.pearson(), 1e-12);
        assertEquals(agree / (double) signed, c.signAgreement(), 1e-15);
    }

    @Test
    void undefinedWhenConstant() {
        Correlation c = new Correlation();
        c.add(1, 2);
        c.add(1, 3);
        assertNull(c.pearson());
    }
}
