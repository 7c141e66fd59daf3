/* SPDX-License-Identifier: MIT */
/*
 * model.h - the domain types every module of gremiumd shares.
 *
 * Plain data, no functions and no includes of our own.  A struct gr_config is
 * built once by config_load() and is immutable afterwards: every other module
 * only reads it, and pointers into it ("borrowed") stay valid until
 * config_free().
 */
#ifndef GREMIUM_MODEL_H
#define GREMIUM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* A wall-clock time in the committee's time zone, minute resolution. */
struct gr_localtime {
	int year;   /* e.g. 2026 */
	int month;  /* 1..12 */
	int day;    /* 1..31 */
	int hour;   /* 0..23 */
	int minute; /* 0..59 */
};

struct gr_group {
	char *id;
	char *name;
};

struct gr_member {
	char *name;
	char *email;
	char *group;        /* id of a gr_group */
	char *organisation; /* may be NULL */
	char **aliases;     /* more sender addresses (inbound), may be NULL */
	size_t n_aliases;
	int line;           /* line of the entry in the config file */
};

/*
 * A meeting series: either a recurrence rule (one recurring VEVENT, rrule !=
 * NULL, start set) or a list of dates (one VEVENT per date, rrule == NULL).
 */
struct gr_series {
	char *id;
	char *summary;
	char *description;  /* may be NULL */
	char *location;     /* may be NULL */
	char *url;          /* may be NULL; http(s) only */
	char *rrule;        /* RFC 5545 RRULE value without "RRULE:", or NULL */
	struct gr_localtime start;  /* first occurrence of an rrule series */
	struct gr_localtime *dates; /* the meetings of a dated series, sorted */
	size_t n_dates;
	int duration;       /* minutes, > 0 */
	char *skip_months_of; /* id of another series, or NULL */
	int line;
};

/* One exception: cancel or move one occurrence of a series. */
struct gr_exception {
	char *series;       /* id of a gr_series */
	int year, month, day; /* the local date of the regular occurrence */
	bool cancel;
	bool move;          /* move_to is set */
	struct gr_localtime move_to;
	char *note;         /* may be NULL */
	int line;
};

struct gr_committee {
	char *id;           /* in every UID and Message-ID: unique per committee */
	char *name;
	char *short_name;
	char *domain;
	char *timezone;     /* Olson name, e.g. "Europe/Berlin" */
	char *language;     /* "de" or "en" */
	char *organizer_name;
	char *organizer_email;
	char *topics_address;
	char *chair_address; /* reports to the chair: the config's value, or a
	                      * copy of organizer_email */
};

struct gr_notifications {
	int send_hour, send_minute;     /* local time for day-based mails */
	bool topic_call;                /* false when topic_call = {} is absent */
	int topic_days_before;          /* > deadline_days_before */
	int topic_deadline_days_before;
	int *reminders_days_before;     /* each >= 0, sorted descending, unique */
	size_t n_reminders;
	int agenda_days_after_deadline; /* agenda mail at send_time that day */
	int answer_reminder_days_before; /* once, to members who did not answer */
};

enum gr_transport {
	GR_TRANSPORT_MAILDIR,
	GR_TRANSPORT_SMTP,
};

struct gr_delivery {
	enum gr_transport transport;
	char *maildir;          /* absolute path */
	char *smtp_url;         /* smtp:// or smtps://, may be NULL for maildir */
	bool starttls_required; /* starttls = "required" (default) */
	char *username;         /* may be NULL: no AUTH */
	char *password_file;    /* absolute path or NULL; for a credential,
	                         * where it was found (util_credential_path()) */
	char *password_credential; /* systemd credential name or NULL */
	int password_line;      /* line of either key (else of username) in the
	                         * config, 0 if none */
	char *ca_file;          /* absolute path or NULL */
	int connections;        /* parallel SMTP sessions, 1..64 */
	int retry_for_hours;    /* 1..720 */
	int rate_per_minute;    /* 0 = unlimited */
	int timeout;            /* seconds for connect and each SMTP step */
	char *bounce_address;   /* VERP base: the envelope sender is
	                         * LOCAL+TOKEN@DOMAIN of it (config value, or
	                         * "bounces@" committee.domain) */
};

/* Who must be there, and the chair's report before each meeting. */
struct gr_quorum {
	bool set;               /* a quorum group is in the config */
	int min_present;        /* members (or their deputies) who accepted;
	                         * 0: no quorum rule, the report still goes out */
	int report_days_before; /* the chair's report, at send_time */
};

struct gr_feed {
	char *listen;   /* "host:port" or NULL for no HTTP server */
	char *path;     /* URL path, starts with '/' */
	char *file;     /* absolute path or NULL */
	bool agenda;    /* agenda titles in the public feed */
};

enum gr_inbound_source {
	GR_INBOUND_NONE,        /* no inbound group: nothing is read */
	GR_INBOUND_IMAP,
	GR_INBOUND_MAILDIR,
};

/* The committee's mailbox that gremiumd reads (DESIGN.md, phase 2). */
struct gr_inbound {
	enum gr_inbound_source source;
	char *imap_url;         /* imaps://HOST[:PORT]/MAILBOX or imap://... (STARTTLS
	                         * required); NULL for maildir */
	char *username;         /* may be NULL */
	char *password_file;    /* as in gr_delivery */
	char *password_credential;
	int password_line;
	char *ca_file;          /* absolute path or NULL */
	char *done_folder;      /* IMAP folder processed mails are moved to */
	char *maildir;          /* absolute path (source maildir) */
	int poll_seconds;       /* 10..86400 */
	int max_message_kb;     /* larger: recorded as too-large, not parsed */
	int timeout;            /* seconds for connect and each IMAP step */
};

struct gr_config {
	char *path;             /* absolute path of the config file */
	time_t mtime;           /* last change of the config file (DTSTAMP of the feed) */
	struct gr_committee committee;
	struct gr_group *groups;
	size_t n_groups;
	struct gr_member *members;
	size_t n_members;
	struct gr_series *series;
	size_t n_series;
	struct gr_exception *exceptions;
	size_t n_exceptions;
	struct gr_notifications notifications;
	struct gr_delivery delivery;
	struct gr_feed feed;
	struct gr_inbound inbound;
	struct gr_quorum quorum;
	char *templates;        /* absolute path of the override folder, or NULL */
	char *state;            /* absolute path of the SQLite database */
};

enum gr_occ_status {
	GR_OCC_CONFIRMED,
	GR_OCC_MOVED,     /* start differs from original (exception move_to) */
	GR_OCC_CANCELLED, /* exception cancel = true */
	GR_OCC_SKIPPED,   /* skip_months_of: the other series meets that month */
};

/* One meeting as it happens (or would have happened). */
struct gr_occurrence {
	const struct gr_series *series;     /* borrowed from the config */
	int date_index;         /* index into series->dates, -1 for rrule series */
	struct gr_localtime original;       /* start as the rule/date gives it */
	struct gr_localtime start;          /* actual start (== original unless moved) */
	struct gr_localtime end;
	time_t start_utc, end_utc;          /* of the actual start and end */
	enum gr_occ_status status;
	const char *note;                   /* borrowed exception note, or NULL */
};

/* What a mail is about; the names are the X-Gremium-Kind values. */
enum gr_kind {
	GR_KIND_INVITATION,
	GR_KIND_UPDATE,
	GR_KIND_CANCELLATION,
	GR_KIND_TOPIC_CALL,
	GR_KIND_REMINDER,
	GR_KIND_TEST,
	GR_KIND_TOPIC_CONFIRMATION,
	GR_KIND_AGENDA,
	GR_KIND_ANSWER_REMINDER,
	GR_KIND_CHAIR_REPORT,
	GR_KIND_COUNT_
};

/*
 * What the state database says was published of one calendar object, for
 * the feed (plan_published()): the UID it goes by, the highest SEQUENCE a
 * member was sent, when its content last changed, and the meetings that
 * took place under an earlier version (rendered as they were).
 */
struct gr_past_occurrence {
	struct gr_localtime original;   /* RECURRENCE-ID of an rrule series */
	struct gr_localtime start, end;
	const char *summary, *description, *location, *url; /* borrowed */
};

/* feed.agenda: a meeting of the object whose agenda went out (plan.h). */
struct gr_published_agenda {
	const struct gr_occurrence *occ; /* borrowed */
	const char **titles;            /* owned array of borrowed titles, by position */
	size_t n_titles;
	char *text;                     /* the agenda as the feed shows it, or NULL
	                                 * (owned: the caller of plan_published() sets it) */
};

struct gr_published {
	const struct gr_series *series; /* borrowed */
	int date_index;                 /* -1 for an rrule series */
	bool moved;                     /* a moved meeting of it (own UID) */
	struct gr_localtime original;   /* moved: its regular start */
	char uid[256];
	int sequence;                   /* -1: never sent */
	time_t modified;                /* 0: not recorded */
	struct gr_past_occurrence *past; /* owned */
	size_t n_past;
	struct gr_published_agenda *agendas; /* owned; feed.agenda only */
	size_t n_agendas;
};

#endif
