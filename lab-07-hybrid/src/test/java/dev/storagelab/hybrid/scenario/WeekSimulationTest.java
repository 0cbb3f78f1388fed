package dev.storagelab.hybrid.scenario;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.tier.DeviceModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The week figure's program at a tiny size: an hour a row, numbers that add up, its CSV. No timing is checked. */
class WeekSimulationTest {

    @TempDir
    Path dir;

    @Test
    void aDayOfTheCycleGivesAnHourARowWithTheDaysShape() throws IOException {
        FakeTicker ticker = new FakeTicker();
        WeekSimulation.Config c =
                new WeekSimulation.Config(20, 50, 0.5, 1, 100, DeviceModel.nvme(), Duration.ofMinutes(5), 3);
        List<WeekSimulation.Hour> day = WeekSimulation.run(
                "simple", StoreFactory.simple(FailureModes.simpleKnobs()), new SimClock(ticker, ticker::advance), c);
        assertThat(day, hasSize(24));
        long ops = day.stream().mapToLong(WeekSimulation.Hour::ops).sum();
        assertThat("half an operation a second at the peak, less at night", ops, greaterThan(10_000L));
        assertThat(
                "the evening peak is busier than 3 a.m.",
                day.get(20).ops(),
                greaterThan(5 * day.get(3).ops()));
        assertThat(
                "the hours' migrations add up to the store's count",
                day.stream().mapToLong(WeekSimulation.Hour::migrations).sum(),
                equalTo(day.get(23).stats().migrations()));
        assertThat(
                "20 products' prices, updated ~100 times an hour at the peak, cross the 100-write threshold",
                day.stream().mapToLong(WeekSimulation.Hour::migrations).sum(),
                greaterThan(0L));
        assertThat(day.get(23).stats().userBytesWritten(), greaterThan(0L));
        Path csv = dir.resolve("week.csv");
        WeekSimulation.writeCsv(csv, day);
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines, hasSize(25));
        assertThat(lines.get(0), startsWith("engine,hour,day,hourOfDay,ops,migrations,hotKeys"));
        assertThat(lines.get(21), startsWith("simple,20,0,20," + day.get(20).ops() + ","));
    }

    @Test
    void theZipfianFavoursLowRanks() {
        double[] cdf = WeekSimulation.zipfCdf(1000, 0.99);
        assertThat(cdf[cdf.length - 1], equalTo(1.0));
        assertThat(WeekSimulation.rank(cdf, 0), equalTo(0));
        assertThat(WeekSimulation.rank(cdf, 1), equalTo(999));
        assertThat("rank 1 alone takes over a tenth of the draws", cdf[0], greaterThan(0.1));
        assertThat(WeekSimulation.rank(cdf, cdf[4]), equalTo(4));
        assertThat(WeekSimulation.rank(cdf, Math.nextUp(cdf[4])), equalTo(5));
    }
}
