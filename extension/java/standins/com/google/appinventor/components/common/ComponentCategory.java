// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package com.google.appinventor.components.common;

public enum ComponentCategory {
  EXTENSION("Extension"),
  UNINITIALIZED("Uninitialized");

  private final String name;

  ComponentCategory(String name) {
    this.name = name;
  }

  public String getName() {
    return name;
  }
}
