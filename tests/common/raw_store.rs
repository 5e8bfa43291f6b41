//! Raw access to a closed store file, as a damaged disk or a crafted file would leave it: shared
//! by the spine and venue test binaries through `#[path]`.

use std::path::Path;

/// Overwrite one row of `file` (a closed store) with `bytes`, bypassing the codec.
pub fn damage<K: redb::Key + 'static>(
    file: &Path,
    table: redb::TableDefinition<K, &[u8]>,
    key: K::SelfType<'_>,
    bytes: &[u8],
) {
    let db = redb::Database::open(file).expect("open raw");
    let txn = db.begin_write().expect("txn");
    txn.open_table(table)
        .expect("table")
        .insert(key, bytes)
        .expect("insert");
    txn.commit().expect("commit");
}
