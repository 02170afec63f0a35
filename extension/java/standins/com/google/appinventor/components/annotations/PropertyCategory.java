// Stand-in for compiling and for the JPype tests; never shipped. What the extension uses of it is
// checked against the real API (extension/java/api/real-api.txt, by aix_build.api_check).
package com.google.appinventor.components.annotations;

public enum PropertyCategory {
  BEHAVIOR("Behavior"),
  APPEARANCE("Appearance"),
  DEPRECATED("Deprecated"),
  UNSET("Unspecified"),
  ADVANCED("Advanced"),
  GENERAL("General");

  private final String name;

  PropertyCategory(String name) {
    this.name = name;
  }

  public String getName() {
    return name;
  }
}
