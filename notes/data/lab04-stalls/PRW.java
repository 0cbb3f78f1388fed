import java.nio.*; import java.nio.channels.*; import java.nio.file.*; import java.util.*; import java.util.concurrent.*;
public class PRW {
  public static void main(String[] a) throws Exception {
    boolean write = a.length > 0 && a[0].equals("w");
    FileChannel ch = FileChannel.open(Path.of("/tmp/prfile"), StandardOpenOption.READ, StandardOpenOption.WRITE);
    long n = ch.size() / 4096; var stop = new java.util.concurrent.atomic.AtomicBoolean(); long[] writes = {0};
    FileChannel wch = a.length > 1 ? FileChannel.open(Path.of(a[1]), StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE) : ch; Thread w = new Thread(() -> { ByteBuffer b = ByteBuffer.allocateDirect(4096); var r = new SplittableRandom(1);
      try { while (!stop.get()) { b.clear(); wch.write(b, r.nextLong(n) * 4096); writes[0]++; } } catch (Exception e) { throw new RuntimeException(e); } });
    if (write) w.start();
    ByteBuffer b = ByteBuffer.allocateDirect(4096); var r = new SplittableRandom(2); long[] lat = new long[400000];
    for (int i = 0; i < lat.length; i++) { b.clear(); long t = System.nanoTime(); ch.read(b, r.nextLong(n) * 4096); lat[i] = System.nanoTime() - t; }
    stop.set(true); if (write) w.join(); Arrays.sort(lat); int c = 0; for (long x : lat) if (x > 1_000_000) c++;
    System.out.printf("write=%s writes %d p50 %.1f p99 %.1f p999 %.1f max %.1f us >1ms %d%n", write, writes[0], lat[lat.length/2]/1e3, lat[(int)(lat.length*.99)]/1e3, lat[(int)(lat.length*.999)]/1e3, lat[lat.length-1]/1e3, c);
  }
}
