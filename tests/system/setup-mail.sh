#!/bin/sh
# Runs inside the system test's container: a private CA, Postfix with
# submission on 587 (STARTTLS required, SASL through Dovecot) delivering every
# address of the texthash map /etc/postfix/vmailbox into a virtual maildir
# /var/mail/vhosts/DOMAIN/USER/,
# and the SMTP account "gremiumd" (its password in the systemd credential
# store, /etc/credstore/gremiumd.smtp-password, as README.Debian says).
# Everything on the container's loopback.
set -eu
umask 022
pw=systest-secret

# The private CA and the server certificate for localhost / 127.0.0.1.
d=/etc/systest-ca
mkdir -p $d && cd $d
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=gremiumd systest CA" \
	-keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout mail.key -out mail.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > ext
openssl x509 -req -in mail.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
	-extfile ext -out mail.pem 2>/dev/null
chmod 0600 mail.key
install -m 0644 ca.pem /etc/gremiumd/ca.pem

# The SMTP password: a file only root reads, handed to the units by LoadCredential=.
mkdir -p -m 0700 /etc/credstore
printf '%s' "$pw" > /etc/credstore/gremiumd.smtp-password
chmod 0600 /etc/credstore/gremiumd.smtp-password

# Dovecot: SASL only (auth socket for Postfix), one account.
sed -i 's/^!include auth-system.conf.ext/#&/' /etc/dovecot/conf.d/10-auth.conf
printf 'gremiumd:{PLAIN}%s\n' "$pw" > /etc/dovecot/sasl-users
chown root:dovecot /etc/dovecot/sasl-users
chmod 0640 /etc/dovecot/sasl-users
cat > /etc/dovecot/local.conf <<'EOC'
protocols = imap
listen = 127.0.0.1
ssl = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN /etc/dovecot/sasl-users
}
userdb {
  driver = static
  args = uid=vmail gid=vmail home=/var/mail/vhosts/%d/%n
}
service auth {
  unix_listener /var/spool/postfix/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOC

# Postfix: virtual maildirs, VHOSTS/DOMAIN/USER/, for the addresses in the
# texthash map /etc/postfix/vmailbox (the test writes it, then `postfix reload`).
groupadd -g 5000 vmail 2>/dev/null || true
useradd -u 5000 -g vmail -d /var/mail/vhosts -M -s /usr/sbin/nologin vmail 2>/dev/null || true
mkdir -p /var/mail/vhosts && chown vmail:vmail /var/mail/vhosts
echo '/\.example$/ OK' > /etc/postfix/vdomains
touch /etc/postfix/vmailbox
postconf -e \
	myhostname=mail.systest.example mydomain=systest.example myorigin=systest.example \
	mydestination=localhost inet_interfaces=loopback-only inet_protocols=ipv4 \
	smtpd_peername_lookup=no disable_dns_lookups=yes smtp_host_lookup=native \
	relayhost= \
	virtual_mailbox_domains=regexp:/etc/postfix/vdomains \
	virtual_mailbox_maps=texthash:/etc/postfix/vmailbox \
	virtual_mailbox_base=/var/mail/vhosts \
	virtual_uid_maps=static:5000 virtual_gid_maps=static:5000 \
	virtual_destination_concurrency_limit=20 \
	smtpd_tls_cert_file=$d/mail.pem smtpd_tls_key_file=$d/mail.key \
	smtpd_tls_security_level=may smtpd_tls_auth_only=yes \
	queue_run_delay=10s minimal_backoff_time=10s maximal_backoff_time=20s
postconf -M submission/inet="submission inet n - y - - smtpd"
postconf -P \
	submission/inet/syslog_name=postfix/submission \
	submission/inet/smtpd_tls_security_level=encrypt \
	submission/inet/smtpd_sasl_auth_enable=yes \
	submission/inet/smtpd_sasl_type=dovecot \
	submission/inet/smtpd_sasl_path=private/auth \
	submission/inet/smtpd_client_restrictions=permit_sasl_authenticated,reject \
	submission/inet/smtpd_relay_restrictions=permit_sasl_authenticated,reject \
	submission/inet/smtpd_recipient_restrictions=permit_sasl_authenticated,reject
systemctl restart dovecot postfix
