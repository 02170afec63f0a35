// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package android.util;

public class Base64 {
  public static final int NO_WRAP = 2;

  public static String encodeToString(byte[] input, int flags) {
    return java.util.Base64.getEncoder().encodeToString(input);
  }
}
