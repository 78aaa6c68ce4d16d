package dev.trtcompat.units;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {

  @ParameterizedTest
  @CsvSource({
    "1048576,1048576", "10B,10", "4GiB,4294967296", "4gib,4294967296", "512 MiB,536870912", "1KiB,1024",
    "2TiB,2199023255552", "10MB,10000000", "1GB,1000000000", "3kb,3000"
  })
  void parsesBinaryAndDecimalUnits(String text, long bytes) {
    assertThat(ByteSize.parse(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "GiB", "-1", "1.5GiB", "4 gigs", "99999999999TiB"})
  void refusesWhatIsNotASize(String text) {
    assertThatThrownBy(() -> ByteSize.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({"0,0 B", "1023,1023 B", "1024,1 KiB", "1536,1.5 KiB", "4294967296,4 GiB", "262144,256 KiB"})
  void printsForPeople(long bytes, String text) {
    assertThat(ByteSize.human(bytes)).isEqualTo(text);
  }
}
