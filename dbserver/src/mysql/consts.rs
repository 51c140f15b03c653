//! Protocol numbers: capability bits, command bytes, column types and flags, status flags,
//! error codes. Names follow MySQL's `mysql_com.h` / `field_types.h`.

// ---- Capability flags (HandshakeV10 / HandshakeResponse41) ----
pub const CLIENT_LONG_PASSWORD: u32 = 1;
pub const CLIENT_LONG_FLAG: u32 = 1 << 2;
pub const CLIENT_CONNECT_WITH_DB: u32 = 1 << 3;
pub const CLIENT_COMPRESS: u32 = 1 << 5;
pub const CLIENT_PROTOCOL_41: u32 = 1 << 9;
pub const CLIENT_SSL: u32 = 1 << 11;
pub const CLIENT_TRANSACTIONS: u32 = 1 << 13;
pub const CLIENT_SECURE_CONNECTION: u32 = 1 << 15;
pub const CLIENT_MULTI_RESULTS: u32 = 1 << 17;
pub const CLIENT_PS_MULTI_RESULTS: u32 = 1 << 18;
pub const CLIENT_PLUGIN_AUTH: u32 = 1 << 19;
pub const CLIENT_CONNECT_ATTRS: u32 = 1 << 20;
pub const CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA: u32 = 1 << 21;
pub const CLIENT_DEPRECATE_EOF: u32 = 1 << 24;

/// Everything the server offers. Deliberately not CLIENT_SSL, CLIENT_COMPRESS,
/// CLIENT_DEPRECATE_EOF (classic EOF packets always), CLIENT_MULTI_STATEMENTS,
/// CLIENT_QUERY_ATTRIBUTES, CLIENT_SESSION_TRACK.
pub const SERVER_CAPABILITIES: u32 = CLIENT_LONG_PASSWORD
    | CLIENT_LONG_FLAG
    | CLIENT_CONNECT_WITH_DB
    | CLIENT_PROTOCOL_41
    | CLIENT_TRANSACTIONS
    | CLIENT_SECURE_CONNECTION
    | CLIENT_MULTI_RESULTS
    | CLIENT_PS_MULTI_RESULTS
    | CLIENT_PLUGIN_AUTH
    | CLIENT_CONNECT_ATTRS
    | CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA;

// ---- Handshake ----
pub const PROTOCOL_VERSION: u8 = 10;
/// utf8mb4_general_ci.
pub const CHARSET_UTF8MB4_GENERAL_CI: u8 = 45;
/// binary (numeric columns).
pub const CHARSET_BINARY: u8 = 63;
pub const SALT_LEN: usize = 20;
pub const NATIVE_PASSWORD_PLUGIN: &str = "mysql_native_password";
/// Length of the zero filler in HandshakeResponse41.
pub const HANDSHAKE_RESPONSE_FILLER: usize = 23;

// ---- Server status flags ----
pub const SERVER_STATUS_IN_TRANS: u16 = 1;
pub const SERVER_STATUS_AUTOCOMMIT: u16 = 2;

// ---- Packet headers ----
pub const OK_HEADER: u8 = 0x00;
pub const EOF_HEADER: u8 = 0xFE;
pub const ERR_HEADER: u8 = 0xFF;
pub const AUTH_SWITCH_HEADER: u8 = 0xFE;
/// The NULL cell of a text row.
pub const NULL_CELL: u8 = 0xFB;
/// Binary row header.
pub const BINARY_ROW_HEADER: u8 = 0x00;
/// Bit offset of the first column in a binary row's NULL bitmap.
pub const BINARY_ROW_NULL_OFFSET: usize = 2;
/// Length of the fixed fields in a column definition (lenenc int 0x0c).
pub const COLUMN_FIXED_LEN: u8 = 0x0c;

// ---- Length-encoded integers ----
pub const LENENC_U16: u8 = 0xFC;
pub const LENENC_U24: u8 = 0xFD;
pub const LENENC_U64: u8 = 0xFE;
/// Largest value a lenenc int stores in its first byte.
pub const LENENC_ONE_BYTE_MAX: u8 = 0xFA;

// ---- Commands ----
pub const COM_SLEEP: u8 = 0x00;
pub const COM_QUIT: u8 = 0x01;
pub const COM_INIT_DB: u8 = 0x02;
pub const COM_QUERY: u8 = 0x03;
pub const COM_FIELD_LIST: u8 = 0x04;
pub const COM_STATISTICS: u8 = 0x09;
pub const COM_DEBUG: u8 = 0x0D;
pub const COM_PING: u8 = 0x0E;
pub const COM_STMT_PREPARE: u8 = 0x16;
pub const COM_STMT_EXECUTE: u8 = 0x17;
pub const COM_STMT_SEND_LONG_DATA: u8 = 0x18;
pub const COM_STMT_CLOSE: u8 = 0x19;
pub const COM_STMT_RESET: u8 = 0x1A;
pub const COM_SET_OPTION: u8 = 0x1B;
pub const COM_RESET_CONNECTION: u8 = 0x1F;

// ---- Column types (enum_field_types) ----
pub const TYPE_DECIMAL: u8 = 0;
pub const TYPE_TINY: u8 = 1;
pub const TYPE_SHORT: u8 = 2;
pub const TYPE_LONG: u8 = 3;
pub const TYPE_FLOAT: u8 = 4;
pub const TYPE_DOUBLE: u8 = 5;
pub const TYPE_NULL: u8 = 6;
pub const TYPE_TIMESTAMP: u8 = 7;
pub const TYPE_LONGLONG: u8 = 8;
pub const TYPE_INT24: u8 = 9;
pub const TYPE_DATE: u8 = 10;
pub const TYPE_TIME: u8 = 11;
pub const TYPE_DATETIME: u8 = 12;
pub const TYPE_YEAR: u8 = 13;
pub const TYPE_NEWDATE: u8 = 14;
pub const TYPE_VARCHAR: u8 = 15;
pub const TYPE_BIT: u8 = 16;
pub const TYPE_TIMESTAMP2: u8 = 17;
pub const TYPE_DATETIME2: u8 = 18;
pub const TYPE_TIME2: u8 = 19;
pub const TYPE_JSON: u8 = 245;
pub const TYPE_NEWDECIMAL: u8 = 246;
pub const TYPE_ENUM: u8 = 247;
pub const TYPE_SET: u8 = 248;
pub const TYPE_TINY_BLOB: u8 = 249;
pub const TYPE_MEDIUM_BLOB: u8 = 250;
pub const TYPE_LONG_BLOB: u8 = 251;
pub const TYPE_BLOB: u8 = 252;
pub const TYPE_VAR_STRING: u8 = 253;
pub const TYPE_STRING: u8 = 254;
pub const TYPE_GEOMETRY: u8 = 255;
/// Second byte of a COM_STMT_EXECUTE parameter type: the value is unsigned.
pub const PARAM_UNSIGNED: u8 = 0x80;

// ---- Column flags ----
pub const NOT_NULL_FLAG: u16 = 1;
pub const PRI_KEY_FLAG: u16 = 2;
pub const UNIQUE_KEY_FLAG: u16 = 4;
pub const MULTIPLE_KEY_FLAG: u16 = 8;
pub const BLOB_FLAG: u16 = 16;
pub const UNSIGNED_FLAG: u16 = 32;
pub const BINARY_FLAG: u16 = 128;
pub const AUTO_INCREMENT_FLAG: u16 = 512;
pub const NUM_FLAG: u16 = 32768;

// ---- Column decimals ----
/// "Not fixed": the number of decimals of a FLOAT/DOUBLE is not fixed.
pub const NOT_FIXED_DEC: u8 = 31;

// ---- Error codes ----
pub const ER_CON_COUNT_ERROR: u16 = 1040;
pub const ER_HANDSHAKE_ERROR: u16 = 1043;
pub const ER_ACCESS_DENIED_ERROR: u16 = 1045;
pub const ER_UNKNOWN_COM_ERROR: u16 = 1047;
pub const ER_NO_DB_ERROR: u16 = 1046;
pub const ER_PARSE_ERROR: u16 = 1064;
pub const ER_NET_PACKET_TOO_LARGE: u16 = 1153;
pub const ER_NET_PACKETS_OUT_OF_ORDER: u16 = 1156;
pub const ER_WRONG_ARGUMENTS: u16 = 1210;
pub const ER_UNKNOWN_STMT_HANDLER: u16 = 1243;
pub const ER_INVALID_CHARACTER_STRING: u16 = 1300;
pub const ER_MAX_PREPARED_STMT_COUNT_REACHED: u16 = 1461;
pub const ER_TOO_MANY_FIELDS: u16 = 1117;

pub const SQLSTATE_GENERAL: &str = "HY000";
pub const SQLSTATE_NET: &str = "08S01";
pub const SQLSTATE_ACCESS_DENIED: &str = "28000";
pub const SQLSTATE_SYNTAX: &str = "42000";

/// Longest error message sent (MySQL's MYSQL_ERRMSG_SIZE - 1).
pub const MAX_ERROR_MESSAGE: usize = 511;
