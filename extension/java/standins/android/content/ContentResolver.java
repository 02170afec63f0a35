// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package android.content;

import android.net.Uri;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Test hooks: {@link #files} maps content:// URIs to the files they stand for; a URI in {@link
 * #denied} throws SecurityException, as Android's does for a provider that granted the app
 * nothing ("Permission Denial: opening provider ...").
 */
public abstract class ContentResolver {
  public final Map<String, File> files = new HashMap<String, File>();
  public final Set<String> denied = new HashSet<String>();

  public final InputStream openInputStream(Uri uri) throws FileNotFoundException {
    if (denied.contains(uri.toString())) {
      throw new SecurityException("Permission Denial: opening provider for " + uri);
    }
    File file = files.get(uri.toString());
    if (file == null) {
      throw new FileNotFoundException("No content provider: " + uri);
    }
    return new FileInputStream(file);
  }
}
