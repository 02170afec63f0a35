// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package android.webkit;

import android.net.Uri;

public interface WebResourceRequest {
  Uri getUrl();
}
