//! Parquet row groups encoded on every core and written in order. Polars' batched writer encodes
//! a row group's columns in parallel, but a product table is a few flat columns and one or two
//! nested ones that hold nearly all its values, so it kept one core busy; here whole row groups
//! are encoded side by side instead.

use std::borrow::Cow;
use std::io::Write;

use polars::prelude::*;
use polars_parquet::write::{
    array_to_columns, to_parquet_schema, CompressedPage, CompressionOptions, Compressor, SchemaDescriptor,
    StatisticsOptions, Version, WriteOptions,
};

use crate::EXPORT_BATCH;

/// Writes frames of one schema to one Parquet file, Snappy-compressed, statistics as Polars
/// writes them.
pub(crate) struct Writer<W: Write> {
    inner: polars::io::parquet::write::BatchedWriter<W>,
    encoder: Encoder,
}

/// What encoding a row group needs, shared by the encoding threads.
struct Encoder {
    parquet_schema: SchemaDescriptor,
    arrow_schema: ArrowSchema,
    options: WriteOptions,
}

impl<W: Write> Writer<W> {
    pub(crate) fn new(file: W, schema: &Schema) -> PolarsResult<Self> {
        let arrow_schema = schema.to_arrow(CompatLevel::newest());
        let parquet_schema = to_parquet_schema(&arrow_schema)?;
        let options = WriteOptions {
            statistics: StatisticsOptions::default(),
            compression: CompressionOptions::Snappy,
            version: Version::V1,
            data_page_size: None,
        };
        let inner = ParquetWriter::new(file).with_compression(ParquetCompression::Snappy).batched(schema)?;
        Ok(Writer { inner, encoder: Encoder { parquet_schema, arrow_schema, options } })
    }

    /// Writes `df` as row groups of [`EXPORT_BATCH`] rows, encoded in parallel.
    pub(crate) fn write(&mut self, df: &DataFrame) -> PolarsResult<()> {
        const ROW_GROUP: usize = EXPORT_BATCH as usize;
        let slices: Vec<DataFrame> =
            (0..df.height().div_ceil(ROW_GROUP)).map(|i| df.slice((i * ROW_GROUP) as i64, ROW_GROUP)).collect();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(slices.len().max(1));
        let encoder = &self.encoder;
        // Thread t encodes slices t, t + threads, …; results come back in slice order.
        let mut encoded: Vec<Option<PolarsResult<Vec<Vec<CompressedPage>>>>> =
            std::iter::repeat_with(|| None).take(slices.len()).collect();
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let slices = &slices;
                    scope.spawn(move || {
                        (t..slices.len()).step_by(threads).map(|i| (i, encoder.encode(&slices[i]))).collect::<Vec<_>>()
                    })
                })
                .collect();
            for h in handles {
                match h.join() {
                    Ok(done) => done.into_iter().for_each(|(i, r)| encoded[i] = Some(r)),
                    Err(_) => encoded.push(Some(Err(polars_err!(ComputeError: "a Parquet encoder stopped")))),
                }
            }
        });
        for (slice, pages) in slices.iter().zip(encoded) {
            let pages = pages.ok_or_else(|| polars_err!(ComputeError: "a row group was not encoded"))??;
            self.inner.write_row_group(slice.height() as u64, &pages)?;
        }
        Ok(())
    }

    pub(crate) fn finish(self) -> PolarsResult<()> {
        self.inner.finish().map(|_| ())
    }
}

impl Encoder {
    /// One row group's pages, column by column (a nested column gives one per leaf).
    fn encode(&self, df: &DataFrame) -> PolarsResult<Vec<Vec<CompressedPage>>> {
        let encodings = get_encodings(&self.arrow_schema);
        let mut out = vec![];
        for (i, c) in df.columns().iter().enumerate() {
            let (_, field) = self
                .arrow_schema
                .get_at_index(i)
                .ok_or_else(|| polars_err!(ComputeError: "column {i} is not in the schema"))?;
            let array = c.as_materialized_series().rechunk().to_arrow_with_field(0, Cow::Borrowed(field), true)?;
            let type_ = self.parquet_schema.fields()[i].clone();
            for pages in array_to_columns(array, type_, self.options, &encodings[i])? {
                let pages = pages
                    .map(|p| p.map_err(|e| polars_parquet::parquet::error::ParquetError::OutOfSpec(e.to_string())));
                let compressed = Compressor::new_from_vec(pages, self.options.compression, vec![])
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| polars_err!(ComputeError: "{e}"))?;
                out.push(compressed);
            }
        }
        Ok(out)
    }
}
