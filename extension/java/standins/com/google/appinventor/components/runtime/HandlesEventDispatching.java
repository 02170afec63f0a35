// Stand-in written from the documented signature, for compiling and for the JPype tests; never shipped.
package com.google.appinventor.components.runtime;

public interface HandlesEventDispatching {}
