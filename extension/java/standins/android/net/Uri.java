// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package android.net;

public abstract class Uri {
  public static Uri parse(final String uriString) {
    final java.net.URI uri = java.net.URI.create(uriString);
    return new Uri() {
      @Override
      public String getHost() {
        return uri.getHost();
      }

      @Override
      public String getPath() {
        return uri.getPath();
      }

      @Override
      public String getScheme() {
        return uri.getScheme();
      }

      @Override
      public String toString() {
        return uriString;
      }
    };
  }

  public abstract String getHost();

  public abstract String getPath();

  public abstract String getScheme();
}
