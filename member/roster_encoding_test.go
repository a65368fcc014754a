package member_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/dangwu/dangwu/member"
)

// TestReadRosterStrayByte: one bad byte in a UTF-8 roster no longer turns
// the file into GB18030 (and a missing column); the row that holds it is
// left out and the line reported.
func TestReadRosterStrayByte(t *testing.T) {
	data := []byte("姓名,手机,区县\n张三,13900000001,鼓楼区\n李\xe5四,13900000002,鼓楼区\n王五,13900000003,鼓楼区\n")
	r, err := member.ReadRoster(context.Background(), "r.csv", data, mustDistricts(t))
	if err != nil {
		t.Fatal(err)
	}
	if r.Encoding != "UTF-8" || !slices.Equal(r.InvalidLines, []int{3}) {
		t.Errorf("encoding %s, invalid lines %v; want UTF-8, [3]", r.Encoding, r.InvalidLines)
	}
	if got := linesOf(r.Rows); !slices.Equal(got, []int{2, 4}) {
		t.Errorf("rows on lines %v, want [2 4]", got)
	}
	if len(r.Problems) == 0 || r.Problems[0].Line != 3 || r.Problems[0].Field != member.FieldName || !errors.Is(r.Problems[0].Err, member.ErrUnreadableText) {
		t.Errorf("problems = %v, want line 3 name unreadable first", r.Problems)
	}
}

func TestReadRosterStrayByteInHeader(t *testing.T) {
	data := []byte("姓名,手\xe6机,区县\n张三,13900000001,鼓楼区\n")
	_, err := member.ReadRoster(context.Background(), "r.csv", data, mustDistricts(t))
	var ce *member.ColumnError
	if !errors.As(err, &ce) || ce.Field != member.FieldPhone || ce.UnreadableLine != 1 {
		t.Errorf("err = %v, want a missing phone column with line 1 unreadable", err)
	}
}
