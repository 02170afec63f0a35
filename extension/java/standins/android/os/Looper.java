// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package android.os;

public final class Looper {
  private static final Looper MAIN = new Looper();

  public static Looper getMainLooper() {
    return MAIN;
  }
}
