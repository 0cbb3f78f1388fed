import java.nio.*; import java.nio.channels.*; import java.nio.file.*; import java.util.*;
public class Spin {
  static volatile boolean stop; static long sink;
  public static void main(String[] a) throws Exception {
    int spinners = Integer.parseInt(a[0]);
    FileChannel ch = FileChannel.open(Path.of("/tmp/prfile"), StandardOpenOption.READ);
    long n = ch.size() / 4096; List<Thread> ts = new ArrayList<>();
    for (int s = 0; s < spinners; s++) { Thread t = new Thread(() -> { long x = 0; while (!stop) x += System.nanoTime() & 7; sink = x; }); t.start(); ts.add(t); }
    ByteBuffer b = ByteBuffer.allocateDirect(4096); var r = new SplittableRandom(2); long[] lat = new long[400000];
    long t0 = System.nanoTime();
    for (int i = 0; i < lat.length; i++) { b.clear(); long t = System.nanoTime(); ch.read(b, r.nextLong(n) * 4096); lat[i] = System.nanoTime() - t; }
    long wall = System.nanoTime() - t0; stop = true; for (Thread t : ts) t.join(); Arrays.sort(lat); int c = 0; long sum = 0; for (long x : lat) { if (x > 1_000_000) c++; sum += x; }
    System.out.printf("spinners=%d wall %.2fs sum %.2fs p50 %.1f p99 %.1f p999 %.1f max %.1f us >1ms %d%n", spinners, wall/1e9, sum/1e9, lat[lat.length/2]/1e3, lat[(int)(lat.length*.99)]/1e3, lat[(int)(lat.length*.999)]/1e3, lat[lat.length-1]/1e3, c);
  }
}
