// Compile-only stand-in, written from App Inventor's documented signature; never shipped.
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
