// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package com.google.appinventor.components.runtime.util;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

public class YailList {
  private final List<Object> items;

  private YailList(List<Object> items) {
    this.items = items;
  }

  public static YailList makeList(Object[] objects) {
    List<Object> items = new ArrayList<Object>();
    for (Object o : objects) {
      items.add(o);
    }
    return new YailList(items);
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  public static YailList makeList(List vals) {
    return new YailList(new ArrayList<Object>(vals));
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  public static YailList makeList(Collection vals) {
    return new YailList(new ArrayList<Object>(vals));
  }

  public Object[] toArray() {
    return items.toArray();
  }

  public int size() {
    return items.size();
  }

  public Object getObject(int index) {
    return items.get(index);
  }
}
