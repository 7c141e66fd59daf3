/* SPDX-License-Identifier: MIT */
/*
 * template-texts.c - the built-in texts of the template module
 * (template.h), German and English: the mails' subjects and bodies, the
 * names of the templates, the known placeholders, and the words of a
 * calendar part's DESCRIPTION.  Tables only, no code.
 */
#include "autoconfig.h"

#include <stddef.h>

#include "template-internal.h"

const char *const tmpl_names[TMPL_COUNT_] = {
	[TMPL_INVITATION_SERIES] = "invitation-series",
	[TMPL_INVITATION_SINGLE] = "invitation-single",
	[TMPL_UPDATE] = "update",
	[TMPL_CANCELLATION] = "cancellation",
	[TMPL_CANCELLATION_SERIES] = "cancellation-series",
	[TMPL_TOPIC_CALL] = "topic-call",
	[TMPL_REMINDER] = "reminder",
	[TMPL_TEST] = "test",
	[TMPL_AGENDA] = "agenda",
	[TMPL_CHAIR_REPORT] = "chair-report",
	[TMPL_ANSWER_REMINDER] = "answer-reminder",
	[TMPL_TOPIC_CONFIRMATION] = "topic-confirmation",
};

const char *const tmpl_lang_names[TMPL_LANG_COUNT_] = { "de", "en" };

const char *const tmpl_placeholders[] = {
	"member_name", "committee", "short_name", "summary", "date", "time",
	"end_time", "location", "url", "deadline", "days", "in_days",
	"topics_address", "organizer", "old_date", "note", "description", "changes", "agenda",
	"attendance", "quorum", "bounced", "title",
};
const size_t tmpl_n_placeholders = sizeof(tmpl_placeholders) / sizeof(tmpl_placeholders[0]);

/*
 * The built-in texts.  German as a public office writes it (formal "Sie",
 * DIN 5008 dates); English as the same office would write it in English.
 * The calendar attachment carries the machine-readable facts; the texts
 * repeat date, time and place for readers whose client shows no buttons.
 */
const struct tmpl_text tmpl_builtin[TMPL_COUNT_][TMPL_LANG_COUNT_] = {
	[TMPL_INVITATION_SERIES] = {
		[TMPL_DE] = { "Einladung: {summary}",
			"Guten Tag {member_name},\n\n"
			"hiermit laden wir Sie zur Sitzungsreihe „{summary}“ des Gremiums "
			"„{committee}“ ein.\n\n"
			"Nächste Sitzung: {date}, {time} bis {end_time}\n"
			"Ort: {location}\n"
			"Zugang: {url}\n\n"
			"{description}\n\n"
			"Alle Termine der Reihe sind dieser E-Mail als Kalendereinladung beigefügt. "
			"Ihr Kalenderprogramm zeigt sie als Einladung mit den Knöpfen „Zusagen“ "
			"und „Absagen“; eine Zusage gilt für alle Termine der Reihe.\n\n"
			"Wird ein einzelner Termin verschoben, erhalten Sie dazu eine eigene "
			"Nachricht, die Ihr Kalenderprogramm als Aktualisierung dieses Termins "
			"zeigt; sagen Sie dort erneut zu. Fällt ein Termin aus, bietet Ihr "
			"Kalenderprogramm an, ihn zu entfernen.\n\n"
			"Diese Einladungen sind für die Mitglieder des Gremiums. Abonnieren Sie "
			"bitte nicht zusätzlich den öffentlichen Kalender des Gremiums: sonst "
			"stehen die Sitzungen doppelt in Ihrem Kalender. Das Abonnement ist für "
			"alle anderen gedacht.\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Invitation: {summary}",
			"Dear {member_name},\n\n"
			"we hereby invite you to the meeting series \"{summary}\" of "
			"the {committee}.\n\n"
			"Next meeting: {date}, {time} to {end_time}\n"
			"Location: {location}\n"
			"Access: {url}\n\n"
			"{description}\n\n"
			"All meetings of the series are attached to this email as a calendar "
			"invitation. Your calendar program shows it as an invitation with the "
			"buttons \"Accept\" and \"Decline\"; accepting accepts every meeting of "
			"the series.\n\n"
			"If a single meeting is moved, you get a message of its own, which your "
			"calendar program shows as an update of that meeting; please accept it "
			"there again. If a meeting is cancelled, your calendar program offers to "
			"remove it.\n\n"
			"These invitations are for the members of the committee. Please do not "
			"also subscribe to the committee's public calendar, or the meetings show "
			"twice in your calendar. The subscription is meant for everyone else.\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
	[TMPL_INVITATION_SINGLE] = {
		[TMPL_DE] = { "Einladung: {summary} am {date}",
			"Guten Tag {member_name},\n\n"
			"hiermit laden wir Sie zur Sitzung „{summary}“ des Gremiums "
			"„{committee}“ ein.\n\n"
			"{changes}\n\n"
			"{note}\n\n"
			"Termin: {date}, {time} bis {end_time}\n"
			"Ort: {location}\n"
			"Zugang: {url}\n\n"
			"{description}\n\n"
			"{agenda}\n\n"
			"Der Termin ist dieser E-Mail als Kalendereinladung beigefügt. Ihr "
			"Kalenderprogramm zeigt ihn als Einladung mit den Knöpfen „Zusagen“ und "
			"„Absagen“.\n\n"
			"Diese Einladung ist für die Mitglieder des Gremiums. Abonnieren Sie "
			"bitte nicht zusätzlich den öffentlichen Kalender des Gremiums: sonst "
			"steht die Sitzung doppelt in Ihrem Kalender.\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Invitation: {summary} on {date}",
			"Dear {member_name},\n\n"
			"we hereby invite you to the meeting \"{summary}\" of the {committee}.\n\n"
			"{changes}\n\n"
			"{note}\n\n"
			"Date: {date}, {time} to {end_time}\n"
			"Location: {location}\n"
			"Access: {url}\n\n"
			"{description}\n\n"
			"{agenda}\n\n"
			"The meeting is attached to this email as a calendar invitation. Your "
			"calendar program shows it as an invitation with the buttons \"Accept\" "
			"and \"Decline\".\n\n"
			"This invitation is for the members of the committee. Please do not also "
			"subscribe to the committee's public calendar, or the meeting shows twice "
			"in your calendar.\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
	[TMPL_UPDATE] = {
		[TMPL_DE] = { "Geändert: {summary} am {date}",
			"Guten Tag {member_name},\n\n"
			"bei „{summary}“ des Gremiums „{committee}“ hat sich Folgendes geändert:\n\n"
			"{changes}\n\n"
			"Nächste Sitzung: {date}, {time} bis {end_time}\n"
			"Ort: {location}\n"
			"Zugang: {url}\n\n"
			"{note}\n\n"
			"Die geänderte Kalendereinladung ist beigefügt. Ihr Kalenderprogramm zeigt "
			"sie als Aktualisierung des Termins, den Sie schon haben; mit „Zusagen“ "
			"übernehmen Sie die Änderung in Ihren Kalender.\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Changed: {summary} on {date}",
			"Dear {member_name},\n\n"
			"the following has changed for \"{summary}\" of the {committee}:\n\n"
			"{changes}\n\n"
			"Next meeting: {date}, {time} to {end_time}\n"
			"Location: {location}\n"
			"Access: {url}\n\n"
			"{note}\n\n"
			"The updated calendar invitation is attached. Your calendar program shows "
			"it as an update of the meeting you already have; \"Accept\" puts the "
			"change into your calendar.\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
	[TMPL_CANCELLATION] = {
		[TMPL_DE] = { "Abgesagt: {summary} am {date}",
			"Guten Tag {member_name},\n\n"
			"die Sitzung „{summary}“ am {date}, {time}, findet nicht statt.\n\n"
			"{note}\n\n"
			"Ihr Kalenderprogramm zeigt diese Nachricht als Absage und bietet an, den "
			"Termin aus Ihrem Kalender zu entfernen (Thunderbird: „Löschen“, Outlook: "
			"„Aus Kalender entfernen“).\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Cancelled: {summary} on {date}",
			"Dear {member_name},\n\n"
			"the meeting \"{summary}\" on {date}, {time}, will not take place.\n\n"
			"{note}\n\n"
			"Your calendar program shows this message as a cancellation and offers to "
			"remove the meeting from your calendar (Thunderbird: \"Delete\", Outlook: "
			"\"Remove from Calendar\").\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
	[TMPL_CANCELLATION_SERIES] = {
		[TMPL_DE] = { "Abgesagt: {summary}",
			"Guten Tag {member_name},\n\n"
			"die Termine von „{summary}“ des Gremiums „{committee}“ entfallen für Sie. "
			"Ihr Kalenderprogramm zeigt diese Nachricht als Absage und bietet an, die "
			"Termine aus Ihrem Kalender zu entfernen (Thunderbird: „Löschen“, Outlook: "
			"„Aus Kalender entfernen“).\n\n"
			"{note}\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Cancelled: {summary}",
			"Dear {member_name},\n\n"
			"the meetings of \"{summary}\" of the {committee} are cancelled for you. "
			"Your calendar program shows this message as a cancellation and offers to "
			"remove the meetings from your calendar (Thunderbird: \"Delete\", Outlook: "
			"\"Remove from Calendar\").\n\n"
			"{note}\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
	[TMPL_TOPIC_CALL] = {
		[TMPL_DE] = { "Themenanmeldung: {summary} am {date}",
			"Guten Tag {member_name},\n\n"
			"für die Sitzung „{summary}“ am {date}, {time}, können Sie ab sofort "
			"Themen anmelden.\n\n"
			"Bitte senden Sie Ihre Themenvorschläge bis {deadline} als Antwort auf "
			"diese E-Mail an {topics_address}. Nennen Sie zu jedem Thema bitte einen "
			"kurzen Titel, ein bis zwei Sätze zum Inhalt und den voraussichtlichen "
			"Zeitbedarf.\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Call for topics: {summary} on {date}",
			"Dear {member_name},\n\n"
			"you are welcome to propose topics for the meeting \"{summary}\" on "
			"{date}, {time}.\n\n"
			"Please send your proposals by {deadline} as a reply to this email, to "
			"{topics_address}. For each topic, please give a short title, one or two "
			"sentences on its content and the time it needs.\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
	[TMPL_REMINDER] = {
		[TMPL_DE] = { "Erinnerung: {summary} am {date}",
			"Guten Tag {member_name},\n\n"
			"wir erinnern Sie an die Sitzung „{summary}“ {in_days}:\n\n"
			"Termin: {date}, {time} bis {end_time}\n"
			"Ort: {location}\n"
			"Zugang: {url}\n\n"
			"{agenda}\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Reminder: {summary} on {date}",
			"Dear {member_name},\n\n"
			"this is a reminder of the meeting \"{summary}\" {in_days}:\n\n"
			"Date: {date}, {time} to {end_time}\n"
			"Location: {location}\n"
			"Access: {url}\n\n"
			"{agenda}\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
	[TMPL_TEST] = {
		[TMPL_DE] = { "Testnachricht",
			"Guten Tag {member_name},\n\n"
			"dies ist eine Testnachricht des Terminversands für das Gremium "
			"„{committee}“. Wenn Sie sie lesen, funktioniert die Zustellung. "
			"Sie müssen nichts weiter tun.\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Test message",
			"Dear {member_name},\n\n"
			"this is a test message from the meeting mailer of the {committee}. If "
			"you can read it, delivery works. There is nothing else you need to do.\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
	[TMPL_AGENDA] = {
		[TMPL_DE] = { "Tagesordnung: {summary} am {date}",
			"Guten Tag {member_name},\n\n"
			"die Frist für Themen zur Sitzung „{summary}“ am {date}, {time} bis "
			"{end_time}, ist abgelaufen. Die Tagesordnung:\n\n"
			"{agenda}\n\n"
			"Ort: {location}\n"
			"Zugang: {url}\n\n"
			"{note}\n\n"
			"Die Tagesordnung steht auch im Termin in Ihrem Kalender. Ihr "
			"Kalenderprogramm zeigt diese Nachricht als Aktualisierung des Termins; "
			"Ihre Zu- oder Absage bleibt dabei bestehen.\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Agenda: {summary} on {date}",
			"Dear {member_name},\n\n"
			"the deadline for topics for the meeting \"{summary}\" on {date}, {time} "
			"to {end_time}, has passed. The agenda:\n\n"
			"{agenda}\n\n"
			"Location: {location}\n"
			"Access: {url}\n\n"
			"{note}\n\n"
			"The agenda is also in the meeting in your calendar. Your calendar "
			"program shows this message as an update of the meeting; your answer "
			"(accepted or declined) stays as it is.\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
	/* to the chair (issue 16): the report comes from the service, so
	 * it is written in its voice, not the organizer's */
	[TMPL_CHAIR_REPORT] = {
		[TMPL_DE] = { "Rückmeldungen: {summary} am {date}",
			"Guten Tag,\n\n"
			"dies ist der Stand der Rückmeldungen zur Sitzung „{summary}“ am {date}, "
			"{time} bis {end_time} ({in_days}).\n\n"
			"{quorum}\n\n"
			"{attendance}\n\n"
			"{bounced}\n\n"
			"{agenda}\n\n"
			"Ort: {location}\n"
			"Zugang: {url}\n\n"
			"Die Rückmeldungen kommen aus den Antworten der Kalenderprogramme auf die "
			"Einladungen. Absender von E-Mails lassen sich fälschen: die Übersicht ist "
			"eine Hilfe, keine Abstimmung. „gremiumctl attendance“ zeigt den jeweils "
			"aktuellen Stand.\n\n"
			"Terminversand des Gremiums „{committee}“\n" },
		[TMPL_EN] = { "Answers: {summary} on {date}",
			"Hello,\n\n"
			"these are the answers so far for the meeting \"{summary}\" on {date}, "
			"{time} to {end_time} ({in_days}).\n\n"
			"{quorum}\n\n"
			"{attendance}\n\n"
			"{bounced}\n\n"
			"{agenda}\n\n"
			"Location: {location}\n"
			"Access: {url}\n\n"
			"The answers come from the calendar programs' replies to the invitations. "
			"Mail senders can be forged: this overview is a help, not a vote. "
			"\"gremiumctl attendance\" shows the current state.\n\n"
			"Meeting mailer of the {committee}\n" },
	},
	[TMPL_ANSWER_REMINDER] = {
		[TMPL_DE] = { "Bitte um Rückmeldung: {summary} am {date}",
			"Guten Tag {member_name},\n\n"
			"zur Sitzung „{summary}“ {in_days} liegt uns von Ihnen noch keine Antwort "
			"auf die Einladung vor:\n\n"
			"Termin: {date}, {time} bis {end_time}\n"
			"Ort: {location}\n"
			"Zugang: {url}\n\n"
			"Bitte sagen Sie in Ihrem Kalenderprogramm zu oder ab (die Knöpfe "
			"„Zusagen“, „Vorbehaltlich“ und „Absagen“ der Einladung). Können Sie nicht "
			"teilnehmen, aber eine Vertretung schicken, leiten Sie die Einladung mit "
			"„Delegieren“ an sie weiter: die Vertretung erhält dann eine eigene "
			"Einladung zu dieser Sitzung.\n\n"
			"Das ist die einzige Erinnerung dieser Art zu dieser Sitzung.\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Please answer: {summary} on {date}",
			"Dear {member_name},\n\n"
			"we have not yet had your answer to the invitation to the meeting "
			"\"{summary}\" {in_days}:\n\n"
			"Date: {date}, {time} to {end_time}\n"
			"Location: {location}\n"
			"Access: {url}\n\n"
			"Please accept or decline in your calendar program (the invitation's "
			"buttons \"Accept\", \"Tentative\" and \"Decline\"). If you cannot "
			"come but can send a deputy, delegate the invitation to them: your deputy "
			"then gets an invitation of their own to this meeting.\n\n"
			"This is the only reminder of this kind for this meeting.\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
	/* {old_date}: the meeting a late topic was meant for; its line is
	 * left out when the topic was in time */
	[TMPL_TOPIC_CONFIRMATION] = {
		[TMPL_DE] = { "Thema eingegangen: {title}",
			"Guten Tag {member_name},\n\n"
			"Ihr Thema „{title}“ ist für die Sitzung „{summary}“ am {date}, {time}, "
			"eingegangen.\n\n"
			"Die Frist für Themen zur Sitzung am {old_date} war bereits abgelaufen; Ihr "
			"Thema ist deshalb für die darauf folgende Sitzung vorgemerkt.\n\n"
			"Themen für diese Sitzung nehmen wir bis {deadline} entgegen. Nach Ablauf "
			"der Frist erhalten Sie die Tagesordnung.\n\n"
			"Mit freundlichen Grüßen\n"
			"{organizer}\n" },
		[TMPL_EN] = { "Topic received: {title}",
			"Dear {member_name},\n\n"
			"your topic \"{title}\" has been received for the meeting \"{summary}\" on "
			"{date}, {time}.\n\n"
			"The deadline for topics for the meeting on {old_date} had already passed; "
			"your topic is therefore planned for the following meeting.\n\n"
			"Topics for this meeting are accepted until {deadline}. You will receive the "
			"agenda after the deadline.\n\n"
			"Kind regards\n"
			"{organizer}\n" },
	},
};

/* The paragraphs tmpl_event_description() adds to a calendar part. */
const struct tmpl_event_words tmpl_event_words[TMPL_LANG_COUNT_] = {
	[TMPL_DE] = {
		"Grund: ", "Diese Sitzung findet nicht statt.",
		"Die Sitzungen dieser Reihe finden für Sie nicht mehr statt.",
		"Ihr Kalenderprogramm bietet an, den Termin zu entfernen (Thunderbird: "
		"„Löschen“, Outlook: „Aus Kalender entfernen“).",
		"Zugang: ",
		"Themen für die Tagesordnung bitte", " bis ", " Tage vor der Sitzung", " an ", ".",
		"Diese Einladung ist für die Mitglieder des Gremiums: bitte zusagen oder "
		"absagen. Den öffentlichen Kalender des Gremiums bitte nicht zusätzlich "
		"abonnieren, sonst stehen die Sitzungen doppelt im Kalender; er ist für "
		"alle anderen gedacht.",
		"Tagesordnung:", "TOP ", " (eingebracht von ",
		"Zu dieser Sitzung sind keine Themen eingegangen.", "… und ", " weitere Themen",
	},
	[TMPL_EN] = {
		"Reason: ", "This meeting will not take place.",
		"The meetings of this series no longer take place for you.",
		"Your calendar program offers to remove the meeting (Thunderbird: "
		"\"Delete\", Outlook: \"Remove from Calendar\").",
		"Access: ",
		"Topics for the agenda", " by ", " days before the meeting", " to ", ", please.",
		"This invitation is for the members of the committee: please accept or "
		"decline. Please do not also subscribe to the committee's public calendar, "
		"or the meetings show twice in your calendar; it is meant for everyone else.",
		"Agenda:", "Item ", " (submitted by ",
		"No topics have been submitted for this meeting.", "… and ", " more topics",
	},
};
