// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package com.google.appinventor.components.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * Records every event, for the tests: [component, eventName, args...]. Events come from the
 * component's threads while a test reads them, so the list is only touched under the lock.
 */
public class EventDispatcher {
  private static final List<Object[]> dispatched = new ArrayList<Object[]>();

  /** A copy of the events so far, in order. */
  public static synchronized List<Object[]> dispatched() {
    return new ArrayList<Object[]>(dispatched);
  }

  public static synchronized void clear() {
    dispatched.clear();
  }

  public static synchronized boolean dispatchEvent(
      Component component, String eventName, Object... args) {
    Object[] record = new Object[args.length + 2];
    record[0] = component;
    record[1] = eventName;
    System.arraycopy(args, 0, record, 2, args.length);
    dispatched.add(record);
    return true;
  }
}
