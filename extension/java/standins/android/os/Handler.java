// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package android.os;

/** post runs at once: the tests have one thread for the UI. */
public class Handler {
  public Handler(Looper looper) {}

  public final boolean post(Runnable r) {
    r.run();
    return true;
  }
}
