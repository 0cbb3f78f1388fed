import dev.storagelab.kv.Bytes;
import java.lang.management.*;
import java.util.*;
public class Cmp {
  public static void main(String[] a) {
    int n = 64; byte[] page = new byte[n * 16]; 
    for (int i = 0; i < n; i++) { byte[] k = String.format("%016d", 100000 + i * 7).getBytes(); System.arraycopy(k, 0, page, i*16, 16); }
    Bytes[] probes = new Bytes[1024]; Random r = new Random(1);
    for (int i = 0; i < probes.length; i++) probes[i] = Bytes.of(String.format("%016d", 100000 + r.nextInt(n*7)));
    byte[][] praw = new byte[probes.length][]; for (int i=0;i<probes.length;i++) praw[i]=probes[i].toByteArray();
    ThreadMXBean t = ManagementFactory.getThreadMXBean();
    long sink = 0;
    for (int round = 0; round < 8; round++) {
      for (int v = 0; v < 2; v++) {
        long c0 = t.getCurrentThreadCpuTime();
        for (int it = 0; it < 3000; it++) for (int p = 0; p < probes.length; p++) {
          int lo = 0, hi = n - 1;
          while (lo <= hi) { int mid = (lo+hi)>>>1; int c = v == 0 ? Arrays.compareUnsigned(praw[p], 0, 16, page, mid*16, mid*16+16) : probes[p].compareTo(page, mid*16, 16);
            if (c > 0) lo = mid+1; else if (c < 0) hi = mid-1; else { lo = mid; break; } }
          sink += lo;
        }
        long ns = t.getCurrentThreadCpuTime() - c0;
        if (round >= 3) System.out.printf("%s %.1f ns/search%n", v==0?"arrays":"words", ns / (3000.0*probes.length));
      }
    }
    System.out.println(sink);
  }
}
