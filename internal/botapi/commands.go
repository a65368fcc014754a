package botapi

import (
	"context"
	"slices"
)

// commandKey identifies one command list: a scope and a language ("" for all).
type commandKey struct {
	scope BotCommandScope
	lang  string
}

// scopeKey reads the scope field of a commands call; absent means the default scope.
func scopeKey(p Params) (commandKey, *APIError) {
	var scope BotCommandScope
	if _, apiErr := p.json("scope", &scope); apiErr != nil {
		return commandKey{}, apiErr
	}
	scope, apiErr := normalizeScope(scope)
	return commandKey{scope: scope, lang: p.Get("language_code")}, apiErr
}

// normalizeScope checks a scope and keeps only the fields its type uses.
func normalizeScope(scope BotCommandScope) (BotCommandScope, *APIError) {
	switch scope.Type {
	case "", ScopeDefault:
		return BotCommandScope{Type: ScopeDefault}, nil
	case ScopeAllPrivateChats, ScopeAllGroupChats, ScopeAllChatAdministrators:
		return BotCommandScope{Type: scope.Type}, nil
	case ScopeChat, ScopeChatAdministrators:
		if scope.ChatID == 0 {
			return scope, errChatIDEmpty
		}
		return BotCommandScope{Type: scope.Type, ChatID: scope.ChatID}, nil
	case ScopeChatMember:
		if scope.ChatID == 0 {
			return scope, errChatIDEmpty
		}
		if scope.UserID == 0 {
			return scope, badRequest("user not found")
		}
		return scope, nil
	}
	// The server's own wording: Telegram's answer to an unknown scope is not documented.
	return scope, badRequest("unsupported bot command scope type %q", scope.Type)
}

// setMyCommands stores the command list of a scope and language, after Telegram's checks.
func (s *Server) setMyCommands(_ context.Context, p Params) (any, *APIError) {
	if !p.Has("commands") {
		return nil, badRequest("parameter \"commands\" is required")
	}
	var commands []BotCommand
	if _, apiErr := p.json("commands", &commands); apiErr != nil {
		return nil, apiErr
	}
	key, apiErr := scopeKey(p)
	if apiErr != nil {
		return nil, apiErr
	}
	if len(commands) > maxCommands {
		return nil, badRequest("BOT_COMMANDS_TOO_MUCH")
	}
	for _, c := range commands {
		if !validCommand(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		switch n := utf16Len(c.Description); {
		case n == 0:
			return nil, badRequest("command description must be non-empty")
		case n > maxCommandDescLen:
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(commands) == 0 {
		delete(s.commands, key)
	} else {
		s.commands[key] = commands
	}
	s.logLocked(Event{Kind: EventSetCommands, Method: "setMyCommands", ChatID: key.scope.ChatID})
	return true, nil
}

// validCommand reports whether name has 1–32 characters, each a–z, 0–9 or _.
func validCommand(name string) bool {
	if name == "" || len(name) > maxCommandNameLen {
		return false
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// getMyCommands answers the list stored for exactly that scope and language.
func (s *Server) getMyCommands(_ context.Context, p Params) (any, *APIError) {
	key, apiErr := scopeKey(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]BotCommand{}, s.commands[key]...), nil
}

// deleteMyCommands removes the list of a scope and language.
func (s *Server) deleteMyCommands(_ context.Context, p Params) (any, *APIError) {
	key, apiErr := scopeKey(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, key)
	s.logLocked(Event{Kind: EventDeleteCommands, Method: "deleteMyCommands", ChatID: key.scope.ChatID})
	return true, nil
}

// Commands returns what setMyCommands stored for scope (the zero scope is the default one)
// with no language_code.
func (s *Server) Commands(scope BotCommandScope) []BotCommand {
	return s.LocalizedCommands(scope, "")
}

// LocalizedCommands returns what setMyCommands stored for scope and a language_code.
func (s *Server) LocalizedCommands(scope BotCommandScope, languageCode string) []BotCommand {
	scope, apiErr := normalizeScope(scope)
	if apiErr != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[commandKey{scope: scope, lang: languageCode}])
}
