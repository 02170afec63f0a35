// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package com.google.appinventor.components.runtime;

import android.app.Activity;
import com.google.appinventor.components.runtime.util.OnInitializeListener;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The screen, with the lifecycle of App Inventor's real Form (appinventor-sources,
 * components/runtime/Form.java, read at mit-cml/appinventor-extensions 7728c70):
 *
 * <ul>
 *   <li>{@link #clear()} (every Companion reload and screen switch, Form.java:2664-2692) empties
 *       the pause, resume, stop, destroy and initialize listeners <em>without calling them</em>,
 *       sets screenInitialized to false, then calls each OnClearListener once and forgets them;
 *   <li>{@link #canDispatchEvent} (Form.java:878-891) is false until the screen's Initialize has
 *       run, so EventDispatcher drops earlier events; {@link #Initialize()} (Form.java:915-941)
 *       sets it and then calls the OnInitializeListeners;
 *   <li>onPause, onResume and onDestroy (Form.java:739-831) call their listeners; the test hooks
 *       {@link #pause()}, {@link #resume()} and {@link #destroy()} stand for Android calling them.
 * </ul>
 *
 * Test hooks: assetDirectory, grantPermissions, askedPermissions, pause(), resume(), destroy().
 */
public class Form extends Activity implements Component, HandlesEventDispatching {
  public File assetDirectory = new File(".");
  public boolean grantPermissions = true;
  public final List<String> askedPermissions = new ArrayList<String>();
  private final Set<OnDestroyListener> onDestroyListeners = new LinkedHashSet<OnDestroyListener>();
  private final Set<OnClearListener> onClearListeners = new LinkedHashSet<OnClearListener>();
  private final Set<OnPauseListener> onPauseListeners = new LinkedHashSet<OnPauseListener>();
  private final Set<OnResumeListener> onResumeListeners = new LinkedHashSet<OnResumeListener>();
  private final Set<OnInitializeListener> onInitializeListeners =
      new LinkedHashSet<OnInitializeListener>();
  private boolean screenInitialized;

  @Override
  public HandlesEventDispatching getDispatchDelegate() {
    return this;
  }

  @Override
  public boolean canDispatchEvent(Component component, String eventName) {
    return screenInitialized || (component == this && eventName.equals("Initialize"));
  }

  public void Initialize() {
    EventDispatcher.dispatchEvent(this, "Initialize");
    screenInitialized = true;
    for (OnInitializeListener listener : new ArrayList<OnInitializeListener>(onInitializeListeners)) {
      listener.onInitialize();
    }
  }

  public void clear() {
    onPauseListeners.clear();
    onResumeListeners.clear();
    onDestroyListeners.clear();
    onInitializeListeners.clear();
    screenInitialized = false;
    for (OnClearListener listener : new ArrayList<OnClearListener>(onClearListeners)) {
      listener.onClear();
    }
    onClearListeners.clear();
  }

  public void pause() {
    for (OnPauseListener listener : new ArrayList<OnPauseListener>(onPauseListeners)) {
      listener.onPause();
    }
  }

  public void resume() {
    for (OnResumeListener listener : new ArrayList<OnResumeListener>(onResumeListeners)) {
      listener.onResume();
    }
  }

  public void destroy() {
    for (OnDestroyListener listener : new ArrayList<OnDestroyListener>(onDestroyListeners)) {
      listener.onDestroy();
    }
  }

  public void askPermission(String permission, PermissionResultHandler responseRequestor) {
    askedPermissions.add(permission);
    responseRequestor.HandlePermissionResponse(permission, grantPermissions);
  }

  public String getAssetPathForExtension(Component component, String asset)
      throws FileNotFoundException {
    return "file://" + new File(assetDirectory, asset).getAbsolutePath();
  }

  public InputStream openAssetForExtension(Component component, String asset) throws IOException {
    return new FileInputStream(new File(assetDirectory, asset));
  }

  /** The app's own assets (media uploaded in the Designer), from assetDirectory/app/. */
  public InputStream openAsset(String asset) throws IOException {
    return new FileInputStream(new File(new File(assetDirectory, "app"), asset));
  }

  public void registerForOnDestroy(OnDestroyListener component) {
    onDestroyListeners.add(component);
  }

  public void registerForOnClear(OnClearListener component) {
    onClearListeners.add(component);
  }

  public void registerForOnPause(OnPauseListener component) {
    onPauseListeners.add(component);
  }

  public void registerForOnResume(OnResumeListener component) {
    onResumeListeners.add(component);
  }

  public void registerForOnInitialize(OnInitializeListener component) {
    onInitializeListeners.add(component);
  }
}
