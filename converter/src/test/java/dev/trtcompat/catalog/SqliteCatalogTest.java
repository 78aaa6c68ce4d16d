package dev.trtcompat.catalog;

import dev.trtcompat.testing.Backend;

/** Catalogs on the embedded database. */
class SqliteCatalogTest extends CatalogContract {
  SqliteCatalogTest() {
    super(Backend.sqlite());
  }
}
