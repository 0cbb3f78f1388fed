package dev.storagelab.grader.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

class CpuTimeProfilerTest {

    @Test
    void theNameTheGraderPassesToJmhIsTheProfilersClass() {
        // The grader jar does not carry JMH, so it must name the profiler without loading it.
        assertThat(CpuTimeProfiler.NAME, equalTo(CpuTimeProfiler.class.getName()));
    }
}
