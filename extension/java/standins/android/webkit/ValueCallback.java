// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package android.webkit;

public interface ValueCallback<T> {
  void onReceiveValue(T value);
}
