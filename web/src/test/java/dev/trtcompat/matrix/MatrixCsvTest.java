package dev.trtcompat.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 4180 quoting and spreadsheet formula neutralisation of single CSV fields. */
class MatrixCsvTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "plain|plain",
      "8.6|8.6",
      "=1+1|'=1+1",
      "+SUM(A1)|'+SUM(A1)",
      "-2+3|'-2+3",
      "@cmd|'@cmd",
      "a,b|\"a,b\"",
      "say \"hi\"|\"say \"\"hi\"\"\"",
      "=HYPERLINK(\"x\",\"y\")|\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"",
      "<script>alert('x&y')</script>|<script>alert('x&y')</script>",
      "mid=dle|mid=dle"})
  void fieldsAreNeutralisedThenQuoted(String value, String expected) {
    assertThat(MatrixCsv.field(value)).isEqualTo(expected);
  }

  @Test
  void lineBreaksAreQuotedAndLeadingTabsAndCarriageReturnsNeutralised() {
    assertThat(MatrixCsv.field("line\nbreak")).isEqualTo("\"line\nbreak\"");
    assertThat(MatrixCsv.field("tab\tinside")).isEqualTo("tab\tinside");
    assertThat(MatrixCsv.field("\t=1")).isEqualTo("'\t=1");
    assertThat(MatrixCsv.field("\r\n")).isEqualTo("\"'\r\n\"");
  }

  @Test
  void nullAndEmptyAreEmptyFields() {
    assertThat(MatrixCsv.field(null)).isEmpty();
    assertThat(MatrixCsv.field("")).isEmpty();
  }

  @Test
  void theAttachmentNameKeepsOnlySafeCharactersOfTheUploadedName() {
    assertThat(MatrixApi.csvName("resnet50.onnx")).isEqualTo("resnet50-matrix.csv");
    assertThat(MatrixApi.csvName("=evil\"\r\n;x.onnx")).isEqualTo("_evil____x-matrix.csv");
    assertThat(MatrixApi.csvName("\"\"")).isEqualTo("model-matrix.csv");
    assertThat(MatrixApi.csvName(null)).isEqualTo("model-matrix.csv");
  }
}
