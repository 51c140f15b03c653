//! The connection phase: HandshakeResponse41, optional AuthSwitchRequest, the password
//! check, the initial database, then OK and the command phase.

use super::consts::{
    ER_ACCESS_DENIED_ERROR, ER_HANDSHAKE_ERROR, NATIVE_PASSWORD_PLUGIN, SQLSTATE_ACCESS_DENIED,
    SQLSTATE_NET,
};
use super::handshake::{native_password_ok, parse_handshake_response, put_auth_switch};
use super::packet::write_packet;
use super::reply::{ok_packet, status_flags};
use super::{MysqlConn, Phase, ProtocolSettings};
use crate::sql::Engine;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

impl MysqlConn {
    pub(super) fn on_handshake_response(
        &mut self,
        payload: &[u8],
        engine: &mut Engine,
        settings: &ProtocolSettings,
        out: &mut Vec<u8>,
    ) {
        let Ok(resp) = parse_handshake_response(payload) else {
            self.fatal(out, ER_HANDSHAKE_ERROR, SQLSTATE_NET, "Bad handshake");
            return;
        };
        let user = String::from_utf8_lossy(resp.user).into_owned();
        let database = resp
            .database
            .map(|d| String::from_utf8_lossy(d).into_owned());
        let Some(password) = &settings.password else {
            self.authenticated(engine, out, database.as_deref());
            return;
        };
        let native = resp.plugin.is_empty() || resp.plugin == NATIVE_PASSWORD_PLUGIN.as_bytes();
        if !native {
            // E.g. caching_sha2_password: ask for mysql_native_password with our salt.
            write_packet(out, &mut self.seq, |p| put_auth_switch(p, &self.salt));
            self.phase = Phase::AuthSwitchResponse {
                user,
                database,
                seq: self.seq,
            };
            return;
        }
        if native_password_ok(password, &self.salt, resp.auth_response) {
            self.authenticated(engine, out, database.as_deref());
        } else {
            self.deny(out, &user, !resp.auth_response.is_empty());
        }
    }

    pub(super) fn on_auth_switch_response(
        &mut self,
        payload: &[u8],
        engine: &mut Engine,
        settings: &ProtocolSettings,
        out: &mut Vec<u8>,
    ) {
        let Phase::AuthSwitchResponse { user, database, .. } =
            core::mem::replace(&mut self.phase, Phase::Closed)
        else {
            return;
        };
        let ok = match &settings.password {
            None => true,
            Some(password) => native_password_ok(password, &self.salt, payload),
        };
        if ok {
            self.authenticated(engine, out, database.as_deref());
        } else {
            self.deny(out, &user, !payload.is_empty());
        }
    }

    /// Authentication passed: select the database, send OK, enter the command phase.
    fn authenticated(&mut self, engine: &mut Engine, out: &mut Vec<u8>, database: Option<&str>) {
        if let Some(db) = database {
            if let Err(e) = engine.use_database(&mut self.session, db) {
                self.fatal(out, e.code, e.sqlstate, &e.message);
                return;
            }
        }
        ok_packet(out, &mut self.seq, status_flags(&self.session));
        self.phase = Phase::Command;
    }

    fn deny(&mut self, out: &mut Vec<u8>, user: &str, with_password: bool) {
        let message = format!(
            "Access denied for user '{user}'@'{}' (using password: {})",
            self.peer_host,
            if with_password { "YES" } else { "NO" }
        );
        self.fatal(
            out,
            ER_ACCESS_DENIED_ERROR,
            SQLSTATE_ACCESS_DENIED,
            &message,
        );
    }
}
