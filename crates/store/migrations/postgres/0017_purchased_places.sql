-- 政府购买学位服务: a 民办 school of the compulsory stages where the government buys places. Its
-- 随迁子女 count with those in 公办 schools for 政府保障程度 item 15 (教督〔2017〕6号 第七条:
-- "在公办学校和政府购买服务的民办学校就读的比例不低于85%").
ALTER TABLE school ADD COLUMN purchased_places BOOLEAN NOT NULL DEFAULT FALSE;
