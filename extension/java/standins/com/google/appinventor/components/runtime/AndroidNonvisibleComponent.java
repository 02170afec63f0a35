// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package com.google.appinventor.components.runtime;

public abstract class AndroidNonvisibleComponent implements Component {
  protected final Form form;

  protected AndroidNonvisibleComponent(Form form) {
    this.form = form;
  }

  @Override
  public HandlesEventDispatching getDispatchDelegate() {
    return form;
  }
}
