// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
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
