// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package com.google.appinventor.components.runtime;

import android.app.Activity;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** The screen. Test hooks: where assets are, whether permissions are granted. */
public class Form extends Activity implements Component, HandlesEventDispatching {
  public File assetDirectory = new File(".");
  public boolean grantPermissions = true;
  public final List<String> askedPermissions = new ArrayList<String>();
  public final List<OnDestroyListener> destroyListeners = new ArrayList<OnDestroyListener>();

  @Override
  public HandlesEventDispatching getDispatchDelegate() {
    return this;
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

  public void registerForOnDestroy(OnDestroyListener component) {
    destroyListeners.add(component);
  }
}
