// Package console is the local chat with the bot in a terminal: it plays a
// Telegram user against an in-process Bot API server (internal/botapi) and
// prints what the bot sends. Buttons print as numbered choices, pressed by
// typing the number in brackets, e.g. [2]. "/file PATH" sends the file at
// PATH as a document, as a person sends a file in Telegram ("/file PATH |
// text" with a caption), so a coordinator's upload — a notice, a question
// bank, a roster — can be tried without Telegram.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/dangwu/dangwu/internal/botapi"
)

// Bot is what the console needs of the bot it talks to.
type Bot interface {
	// WaitHandled blocks until the bot has handled n updates.
	WaitHandled(ctx context.Context, n int) error
}

// Console is one terminal chat session.
type Console struct {
	Server *botapi.Server
	Bot    Bot
	User   botapi.User
	In     io.Reader
	Out    io.Writer

	sent    int            // updates the console made
	seen    int            // events already printed
	buttons map[int]button // numbered choices on screen
	next    int            // next choice number
}

// button is one numbered choice: an inline button, or a reply-keyboard key.
type button struct {
	messageID int
	data      string // callback data; empty for a keyboard key
	text      string // a keyboard key's text
	contact   bool   // the key shares the user's phone number
}

// pressSyntax is how a choice is pressed: its number in square brackets,
// which nobody types as a message.
var pressSyntax = regexp.MustCompile(`^\[(\d+)\]$`)

// fileCommand starts a line that sends a file. The bot has no command of
// that name, so the line never means anything else.
const fileCommand = "/file"

// MaxFile is the largest file the console sends, the most a bot may send;
// the bot refuses what it would not import or keep, and says why, well
// below that.
const MaxFile = 50 << 20

// Run reads lines until the input ends or ctx is cancelled, sending each as a
// message (or a button press) and printing the bot's answer when it is complete.
func (c *Console) Run(ctx context.Context) error {
	c.buttons = map[int]button{}
	c.next = 1
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(c.In)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
		close(lines)
	}()
	c.prompt()
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				fmt.Fprintln(c.Out)
				return <-readErr
			}
			if err := c.say(ctx, line); err != nil {
				return err
			}
			c.prompt()
		}
	}
}

func (c *Console) prompt() { fmt.Fprint(c.Out, "> ") }

// say sends one line and prints the bot's answer.
func (c *Console) say(ctx context.Context, line string) error {
	line = strings.TrimRight(line, "\r")
	if strings.TrimSpace(line) == "" {
		return nil
	}
	chat := botapi.PrivateChat(c.User)
	if rest, ok := cutCommand(strings.TrimSpace(line), fileCommand); ok {
		if !c.sendFile(chat, rest) {
			return nil
		}
	} else if m := pressSyntax.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
		n, _ := strconv.Atoi(m[1])
		b, ok := c.buttons[n]
		if !ok {
			fmt.Fprintf(c.Out, "（没有编号为 %d 的按钮）\n", n)
			return nil
		}
		switch {
		case b.data != "":
			c.Server.Press(c.User, chat, b.messageID, b.data)
		case b.contact:
			c.Server.SendContact(c.User, chat, botapi.Contact{PhoneNumber: consolePhone, FirstName: c.User.FirstName, UserID: c.User.ID})
		default:
			c.Server.SendText(c.User, chat, b.text)
		}
	} else {
		c.Server.SendText(c.User, chat, line)
	}
	c.sent++
	if err := c.Bot.WaitHandled(ctx, c.sent); err != nil {
		return err
	}
	c.printNew()
	return nil
}

// cutCommand reports whether line is the console command name, alone or
// followed by a space, and returns what follows.
func cutCommand(line, name string) (string, bool) {
	rest, ok := strings.CutPrefix(line, name)
	if !ok || rest != "" && rest[0] != ' ' {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

// sendFile sends the file "PATH" or "PATH | caption" names as a document
// from the console user; it says why not and returns false when it cannot.
func (c *Console) sendFile(chat botapi.Chat, arg string) bool {
	path, caption, _ := strings.Cut(arg, "|")
	path, caption = strings.TrimSpace(path), strings.TrimSpace(caption)
	if path == "" {
		fmt.Fprintln(c.Out, "（用法：/file 文件路径，例如 /file ~/通知.docx；带说明文字：/file 通知.pdf | 请查收）")
		return false
	}
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, rest)
		}
	}
	info, err := os.Stat(path)
	switch {
	case err != nil:
		fmt.Fprintf(c.Out, "（打不开文件：%v）\n", err)
		return false
	case info.IsDir():
		fmt.Fprintf(c.Out, "（%s 是文件夹，请给出一个文件）\n", path)
		return false
	case info.Size() > MaxFile:
		fmt.Fprintf(c.Out, "（文件太大：%d MB，控制台最多发送 %d MB）\n", info.Size()>>20, MaxFile>>20)
		return false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(c.Out, "（读不出文件：%v）\n", err)
		return false
	}
	fmt.Fprintf(c.Out, "📎 已发送 %s（%d 字节）\n", filepath.Base(path), len(data))
	c.Server.SendDocumentCaption(c.User, chat, filepath.Base(path), "", data, caption)
	return true
}

// consolePhone is the phone number the console user shares.
const consolePhone = "13800138000"

// printNew prints what the bot did in the console chat since last time.
func (c *Console) printNew() {
	events := c.Server.Events()
	for _, e := range events[c.seen:] {
		if e.ChatID != c.User.ID && e.Kind != botapi.EventAnswerCallback {
			continue
		}
		switch e.Kind {
		case botapi.EventSend:
			c.printMessage("", e.Message)
		case botapi.EventEdit:
			c.printMessage("（已更新）", e.Message)
		case botapi.EventAnswerCallback:
			if e.Text != "" {
				fmt.Fprintf(c.Out, "〔%s〕\n", e.Text)
			}
		case botapi.EventRefused:
			fmt.Fprintf(c.Out, "（Telegram 拒绝了一条消息：%v）\n", e.Err)
		}
	}
	c.seen = len(events)
}

func (c *Console) printMessage(prefix string, m *botapi.Message) {
	if m == nil {
		return
	}
	fmt.Fprintf(c.Out, "\n%s%s\n", prefix, m.Text)
	if m.Document != nil {
		fmt.Fprintf(c.Out, "📎 %s\n", m.Document.FileName)
	}
	if k := m.ReplyKeyboard; k != nil {
		for _, row := range k.Keyboard {
			var cells []string
			for _, key := range row {
				cells = append(cells, c.number(button{text: key.Text, contact: key.RequestContact})+" "+key.Text)
			}
			fmt.Fprintln(c.Out, "  "+strings.Join(cells, "   "))
		}
	}
	if m.ReplyMarkup != nil {
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			var cells []string
			for _, btn := range row {
				switch {
				case btn.CallbackData != "":
					cells = append(cells, c.number(button{messageID: m.MessageID, data: btn.CallbackData})+" "+btn.Text)
				case btn.URL != "":
					cells = append(cells, btn.Text+" <"+btn.URL+">")
				}
			}
			if len(cells) > 0 {
				fmt.Fprintln(c.Out, "  "+strings.Join(cells, "   "))
			}
		}
	}
}

// number gives b the next choice number and returns its label.
func (c *Console) number(b button) string {
	n := c.next
	c.next++
	c.buttons[n] = b
	return "[" + strconv.Itoa(n) + "]"
}
