package botapi

import "encoding/json"

// The wire types below are this package's own copies of the Bot API objects, with Telegram's
// JSON field names. They carry only the fields the fake server produces or checks, so that
// what the bot sends is judged independently of the client library it uses. Values returned
// by the Server share their slices and pointers with its records: treat them as read-only.

// User is a Telegram user or bot.
type User struct {
	ID                      int64  `json:"id"`
	IsBot                   bool   `json:"is_bot"`
	FirstName               string `json:"first_name"`
	LastName                string `json:"last_name,omitempty"`
	Username                string `json:"username,omitempty"`
	LanguageCode            string `json:"language_code,omitempty"`
	CanJoinGroups           bool   `json:"can_join_groups,omitempty"`
	CanReadAllGroupMessages bool   `json:"can_read_all_group_messages,omitempty"`
	SupportsInlineQueries   bool   `json:"supports_inline_queries,omitempty"`
}

// Chat types, as in Chat.Type.
const (
	ChatPrivate    = "private"
	ChatGroup      = "group"
	ChatSupergroup = "supergroup"
)

// Chat is a private chat, a group or a supergroup.
type Chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

// Message is a message in a chat. Messages the bot sends carry the plain text and the
// entities Telegram derives from the HTML, not the HTML itself.
type Message struct {
	MessageID          int                   `json:"message_id"`
	From               *User                 `json:"from,omitempty"`
	Chat               Chat                  `json:"chat"`
	Date               int64                 `json:"date"`
	EditDate           int64                 `json:"edit_date,omitempty"`
	ReplyToMessage     *Message              `json:"reply_to_message,omitempty"`
	Text               string                `json:"text,omitempty"`
	Entities           []MessageEntity       `json:"entities,omitempty"`
	LinkPreviewOptions *LinkPreviewOptions   `json:"link_preview_options,omitempty"`
	Document           *Document             `json:"document,omitempty"`
	Photo              []PhotoSize           `json:"photo,omitempty"`
	Caption            string                `json:"caption,omitempty"`
	CaptionEntities    []MessageEntity       `json:"caption_entities,omitempty"`
	Contact            *Contact              `json:"contact,omitempty"`
	Poll               *Poll                 `json:"poll,omitempty"`
	ReplyMarkup        *InlineKeyboardMarkup `json:"reply_markup,omitempty"`

	// The fields below are never on the wire: Telegram does not echo them in a Message, but
	// tests need to see what the bot asked for.

	// ReplyKeyboard is the custom keyboard sent with the message, if any.
	ReplyKeyboard *ReplyKeyboardMarkup `json:"-"`
	// RemoveKeyboard reports that the message asked to remove the custom keyboard.
	RemoveKeyboard bool `json:"-"`
	// Silent reports that the message was sent with disable_notification.
	Silent bool `json:"-"`
}

// Entity types this server produces.
const (
	EntityMention              = "mention"
	EntityBotCommand           = "bot_command"
	EntityBold                 = "bold"
	EntityItalic               = "italic"
	EntityUnderline            = "underline"
	EntityStrikethrough        = "strikethrough"
	EntitySpoiler              = "spoiler"
	EntityBlockquote           = "blockquote"
	EntityExpandableBlockquote = "expandable_blockquote"
	EntityCode                 = "code"
	EntityPre                  = "pre"
	EntityTextLink             = "text_link"
	EntityCustomEmoji          = "custom_emoji"
)

// MessageEntity marks a span of a message's text. Offset and Length count UTF-16 code units.
type MessageEntity struct {
	Type          string `json:"type"`
	Offset        int    `json:"offset"`
	Length        int    `json:"length"`
	URL           string `json:"url,omitempty"`
	Language      string `json:"language,omitempty"`
	CustomEmojiID string `json:"custom_emoji_id,omitempty"`
}

// LinkPreviewOptions says how a link preview is shown.
type LinkPreviewOptions struct {
	IsDisabled       bool   `json:"is_disabled,omitempty"`
	URL              string `json:"url,omitempty"`
	PreferSmallMedia bool   `json:"prefer_small_media,omitempty"`
	PreferLargeMedia bool   `json:"prefer_large_media,omitempty"`
	ShowAboveText    bool   `json:"show_above_text,omitempty"`
}

// Contact is a phone contact, as shared with a request_contact button.
type Contact struct {
	PhoneNumber string `json:"phone_number"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name,omitempty"`
	UserID      int64  `json:"user_id,omitempty"`
	VCard       string `json:"vcard,omitempty"`
}

// Document is a general file attached to a message.
type Document struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int64  `json:"file_size,omitempty"`
}

// PhotoSize is one size of a photo. Telegram makes several sizes of a photo it receives,
// smallest first; this server keeps only the image as sent, so a photo has one size.
type PhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int64  `json:"file_size,omitempty"`
}

// File is the answer of getFile: FilePath is downloaded from {URL}/file/bot{token}/{FilePath}.
type File struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileSize     int64  `json:"file_size,omitempty"`
	FilePath     string `json:"file_path,omitempty"`
}

// Poll types, as in Poll.Type.
const (
	PollRegular = "regular"
	PollQuiz    = "quiz"
)

// Poll is a native poll. CorrectOptionID and Explanation are shown only where Telegram
// shows them: in the quizzes the bot sent, in quizzes of a private chat with the bot, and in
// closed quizzes. OpenPeriod and CloseDate are shown while a timed poll is open.
type Poll struct {
	ID                    string          `json:"id"`
	Question              string          `json:"question"`
	QuestionEntities      []MessageEntity `json:"question_entities,omitempty"`
	Options               []PollOption    `json:"options"`
	TotalVoterCount       int             `json:"total_voter_count"`
	IsClosed              bool            `json:"is_closed"`
	IsAnonymous           bool            `json:"is_anonymous"`
	Type                  string          `json:"type"`
	AllowsMultipleAnswers bool            `json:"allows_multiple_answers"`
	CorrectOptionID       *int            `json:"correct_option_id,omitempty"`
	Explanation           string          `json:"explanation,omitempty"`
	ExplanationEntities   []MessageEntity `json:"explanation_entities,omitempty"`
	OpenPeriod            int             `json:"open_period,omitempty"`
	CloseDate             int64           `json:"close_date,omitempty"`
}

// PollOption is one answer option of a poll, with the number of users who chose it.
type PollOption struct {
	Text         string          `json:"text"`
	TextEntities []MessageEntity `json:"text_entities,omitempty"`
	VoterCount   int             `json:"voter_count"`
}

// PollAnswer is a user's vote in a non-anonymous poll the bot sent. An empty OptionIDs is a
// retracted vote.
type PollAnswer struct {
	PollID    string `json:"poll_id"`
	User      *User  `json:"user,omitempty"`
	OptionIDs []int  `json:"option_ids"`
}

// InlineKeyboardMarkup is a keyboard attached to a message.
type InlineKeyboardMarkup struct {
	InlineKeyboard [][]InlineKeyboardButton `json:"inline_keyboard"`
}

// InlineKeyboardButton is one button of an inline keyboard. Exactly one of the optional
// fields is set.
type InlineKeyboardButton struct {
	Text                         string          `json:"text"`
	URL                          string          `json:"url,omitempty"`
	CallbackData                 string          `json:"callback_data,omitempty"`
	SwitchInlineQuery            *string         `json:"switch_inline_query,omitempty"`
	SwitchInlineQueryCurrentChat *string         `json:"switch_inline_query_current_chat,omitempty"`
	CopyText                     *CopyTextButton `json:"copy_text,omitempty"`
}

// CopyTextButton is a button that copies text to the clipboard.
type CopyTextButton struct {
	Text string `json:"text"`
}

// ReplyKeyboardMarkup is a custom keyboard that replaces the user's keyboard.
type ReplyKeyboardMarkup struct {
	Keyboard              [][]KeyboardButton `json:"keyboard"`
	IsPersistent          bool               `json:"is_persistent,omitempty"`
	ResizeKeyboard        bool               `json:"resize_keyboard,omitempty"`
	OneTimeKeyboard       bool               `json:"one_time_keyboard,omitempty"`
	InputFieldPlaceholder string             `json:"input_field_placeholder,omitempty"`
	Selective             bool               `json:"selective,omitempty"`
}

// KeyboardButton is one button of a custom keyboard.
type KeyboardButton struct {
	Text            string `json:"text"`
	RequestContact  bool   `json:"request_contact,omitempty"`
	RequestLocation bool   `json:"request_location,omitempty"`
}

// CallbackQuery is a press on an inline keyboard button. Message has Date 0 when the
// message is no longer accessible (Telegram's InaccessibleMessage).
type CallbackQuery struct {
	ID           string   `json:"id"`
	From         User     `json:"from"`
	Message      *Message `json:"message,omitempty"`
	ChatInstance string   `json:"chat_instance"`
	Data         string   `json:"data,omitempty"`
}

// InlineQuery is a query typed after the bot's username in any chat.
type InlineQuery struct {
	ID     string `json:"id"`
	From   User   `json:"from"`
	Query  string `json:"query"`
	Offset string `json:"offset"`
}

// InlineResult is one result of answerInlineQuery: the fields every result type shares,
// plus the result exactly as the bot sent it.
type InlineResult struct {
	Type  string `json:"type"`
	ID    string `json:"id"`
	Title string `json:"title,omitempty"`
	// Raw is the whole result object as received.
	Raw json.RawMessage `json:"-"`
}

// ChatMember statuses used in my_chat_member updates.
const (
	MemberStatusMember = "member"
	MemberStatusKicked = "kicked"
)

// ChatMember is a member of a chat, with its status.
type ChatMember struct {
	Status    string `json:"status"`
	User      User   `json:"user"`
	UntilDate int64  `json:"until_date,omitempty"`
}

// ChatMemberUpdated reports a change of a member's status; in a private chat, the bot's.
type ChatMemberUpdated struct {
	Chat          Chat       `json:"chat"`
	From          User       `json:"from"`
	Date          int64      `json:"date"`
	OldChatMember ChatMember `json:"old_chat_member"`
	NewChatMember ChatMember `json:"new_chat_member"`
}

// Update is one incoming event for the bot, as getUpdates returns it.
type Update struct {
	UpdateID      int64              `json:"update_id"`
	Message       *Message           `json:"message,omitempty"`
	CallbackQuery *CallbackQuery     `json:"callback_query,omitempty"`
	InlineQuery   *InlineQuery       `json:"inline_query,omitempty"`
	MyChatMember  *ChatMemberUpdated `json:"my_chat_member,omitempty"`
	Poll          *Poll              `json:"poll,omitempty"`
	PollAnswer    *PollAnswer        `json:"poll_answer,omitempty"`
}

// BotCommand is one entry of the bot's command menu.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// Command scope types, as in BotCommandScope.Type.
const (
	ScopeDefault               = "default"
	ScopeAllPrivateChats       = "all_private_chats"
	ScopeAllGroupChats         = "all_group_chats"
	ScopeAllChatAdministrators = "all_chat_administrators"
	ScopeChat                  = "chat"
	ScopeChatAdministrators    = "chat_administrators"
	ScopeChatMember            = "chat_member"
)

// BotCommandScope says to whom a command list applies. The zero value is the default scope.
type BotCommandScope struct {
	Type   string `json:"type"`
	ChatID int64  `json:"chat_id,omitempty"`
	UserID int64  `json:"user_id,omitempty"`
}

// WebhookInfo is the answer of getWebhookInfo.
type WebhookInfo struct {
	URL                  string   `json:"url"`
	HasCustomCertificate bool     `json:"has_custom_certificate"`
	PendingUpdateCount   int      `json:"pending_update_count"`
	LastErrorDate        int64    `json:"last_error_date,omitempty"`
	LastErrorMessage     string   `json:"last_error_message,omitempty"`
	MaxConnections       int      `json:"max_connections,omitempty"`
	AllowedUpdates       []string `json:"allowed_updates,omitempty"`
}
