// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package android.app;

import android.content.Context;

/** runOnUiThread runs at once: the tests have one thread for the UI. */
public class Activity extends Context {
  public final void runOnUiThread(Runnable action) {
    action.run();
  }
}
