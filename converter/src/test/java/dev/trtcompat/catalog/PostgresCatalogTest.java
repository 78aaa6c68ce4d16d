package dev.trtcompat.catalog;

import dev.trtcompat.testing.Backend;
import org.junit.jupiter.api.Tag;

/** Catalogs on PostgreSQL. */
@Tag("postgres")
class PostgresCatalogTest extends CatalogContract {
  PostgresCatalogTest() {
    super(Backend.postgres());
  }
}
