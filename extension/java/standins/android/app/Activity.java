// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package android.app;

import android.content.ContentResolver;
import android.content.Context;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The UI thread, as Android's Activity.runOnUiThread documents it: from the UI thread the
 * action runs at once, from any other thread it is posted to the UI thread's queue. Anything
 * a posted action throws would crash the app on a phone; here it is kept in {@link #crashes}.
 * Test hooks: {@link #onUiThread}, {@link #idle}, {@link #crashes}, {@link #cacheDir},
 * {@link #contentResolver}.
 */
public class Activity extends Context {
  public File cacheDir = new File(System.getProperty("java.io.tmpdir"));
  public final ContentResolver contentResolver = new ContentResolver() {};
  public final List<Throwable> crashes = new ArrayList<Throwable>();
  private volatile Thread uiThread;
  private final ExecutorService ui =
      Executors.newSingleThreadExecutor(
          new ThreadFactory() {
            @Override
            public Thread newThread(Runnable task) {
              Thread thread = new Thread(task, "main");
              thread.setDaemon(true);
              uiThread = thread;
              return thread;
            }
          });

  public final void runOnUiThread(final Runnable action) {
    if (Thread.currentThread() == uiThread) {
      action.run();
      return;
    }
    ui.execute(
        new Runnable() {
          @Override
          public void run() {
            try {
              action.run();
            } catch (Throwable t) {
              synchronized (crashes) {
                crashes.add(t);
              }
            }
          }
        });
  }

  /** Test hook: runs {@code action} on the UI thread, then waits until the UI thread is idle. */
  public final void onUiThread(Runnable action) throws Exception {
    runOnUiThread(action);
    idle();
  }

  /** Test hook: waits (up to 20 s) until everything posted to the UI thread so far has run. */
  public final void idle() throws Exception {
    ui.submit(new Runnable() {
          @Override
          public void run() {}
        })
        .get(20, TimeUnit.SECONDS);
  }

  @Override
  public File getCacheDir() {
    return cacheDir;
  }

  @Override
  public ContentResolver getContentResolver() {
    return contentResolver;
  }
}
